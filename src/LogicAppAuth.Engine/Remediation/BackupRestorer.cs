using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// Plans putting back what a Set-LogicConnectorManagedIdentity run changed, from its backup folder: the role
/// assignments and access policies it created are deleted, and each backed-up resource is written back as it was
/// (workflows and connections by PUT of the saved document; Standard apps' identity by PATCH; a Standard app's
/// connections.json by PUT of its saved text), newest change first.
/// Refuses, unless forced, when a resource changed after the fix. The state each restore overwrites is itself saved
/// to a new backup folder first.
/// </summary>
public sealed class BackupRestorer
{
    private const string LockName = ".restore.lock";
    private readonly AzureSession _session;
    private readonly bool _force;

    public BackupRestorer(AzureSession session, bool force)
    {
        _session = session;
        _force = force;
    }

    /// <summary>
    /// Takes the folder's lock file, so that one restore works on it at a time: take it before planning and keep it
    /// until the last change is applied. It is created exclusively and deleted when disposed; one left by a restore
    /// that crashed stays until someone who knows no restore is running deletes it.
    /// </summary>
    public static IDisposable Lock(string folder)
    {
        var path = Path.Combine(Path.GetFullPath(folder), LockName);
        try
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new LogicAppAuthException("BackupInUse", FailureKind.ResourceExists,
                $"Another restore is using the backup folder '{folder}' (it holds {LockName}); nothing was restored. Wait for it to finish; " +
                $"if no other restore is running (one that crashed leaves the file behind), delete '{path}' and run the command again.", folder, e);
        }
    }

    public async Task<RemediationPlan> PlanAsync(string folder, IOperationSink sink, CancellationToken cancellationToken)
    {
        // Every entry is checked before the first request: a refused one stops the restore with nothing sent.
        var manifest = BackupManifest.Read(folder);
        var items = manifest.Entries;
        var full = manifest.Folder.TrimEnd(Path.DirectorySeparatorChar);
        var safety = new BackupStore(Path.Combine(Path.GetDirectoryName(full) ?? ".",
            Path.GetFileName(full) + "-before-restore-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        safety.NoteFix(manifest.Fix);
        var plan = new RemediationPlan(_session, safety, items[0].ResourceId, "", $"Restore-LogicAppAuthBackup -Path '{safety.Folder.Replace("'", "''")}' (the state before this restore)", resultsPerTarget: true);
        var arm = _session.Arm(sink);
        var changedSinceFix = new List<string>();
        var manifestLock = new object();
        void Mark(BackupEntry entry, string fingerprintRestored)
        {
            lock (manifestLock)
            {
                entry.Raw["restoredTime"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);
                entry.Raw["fingerprintRestored"] = fingerprintRestored;
                PrivateStorage.WriteAtomically(manifest.Path, JsonEdit.Serialize(manifest.Document, indented: true));
            }
        }

        for (int i = items.Count - 1; i >= 0; i--)
        {
            var entry = items[i];
            switch (entry.Kind)
            {
                case "RoleAssignment":
                case "AccessPolicy":
                    await PlanDeleteAsync(plan, arm, manifest, entry, Mark, cancellationToken).ConfigureAwait(false);
                    break;
                case "VaultAccessPolicy":
                    await PlanVaultPolicyRemovalAsync(plan, arm, entry, Mark, cancellationToken).ConfigureAwait(false);
                    break;
                case "Resource":
                    await PlanResourceAsync(plan, arm, entry, changedSinceFix, Mark, sink, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await PlanFileAsync(plan, arm, entry, changedSinceFix, Mark, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        if (changedSinceFix.Count > 0 && !_force)
        {
            throw new LogicAppAuthException("ResourceChangedSinceFix", FailureKind.ResourceExists,
                $"Nothing was restored: {string.Join("; ", changedSinceFix)}. Restoring would overwrite those later changes. " +
                "Look at them first; add -Force to restore anyway.", folder);
        }

        return plan;
    }

    /// <summary>
    /// A role assignment or access policy the fix created is deleted only when a GET shows it is that one: the same
    /// principal (and, for a role assignment, the same role and scope).
    /// </summary>
    private static async Task PlanDeleteAsync(RemediationPlan plan, ArmRestClient arm, BackupManifest manifest, BackupEntry entry, Action<BackupEntry, string> mark,
        CancellationToken cancellationToken)
    {
        bool isRole = entry.Kind == "RoleAssignment";
        var operation = isRole ? RemediationOperation.DeleteRoleAssignment : RemediationOperation.DeleteAccessPolicy;
        var what = isRole
            ? $"role assignment {entry.ResourceId} ({entry.Role!.Name} for principal {entry.PrincipalId} at {entry.Scope})"
            : $"access policy {entry.ResourceId} (principal {entry.PrincipalId}) on connection {entry.Scope}";
        JsonObject current;
        try
        {
            using var document = await arm.GetAsync($"{entry.ResourceId}?api-version={entry.ApiVersion}", entry.ResourceId, cancellationToken).ConfigureAwait(false);
            current = JsonEdit.ToObject(document);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404)
        {
            plan.AddInPlace(operation, entry.ResourceId, $"Already gone: {what}");
            return;
        }

        bool same = isRole
            ? string.Equals(JsonEdit.String(current, "properties", "principalId"), entry.PrincipalId, StringComparison.OrdinalIgnoreCase)
                && JsonEdit.String(current, "properties", "roleDefinitionId").EndsWith("/" + entry.Role!.Id, StringComparison.OrdinalIgnoreCase)
                && BackupFix.SameId(JsonEdit.String(current, "properties", "scope"), entry.Scope)
            : string.Equals(JsonEdit.String(current, "properties", "principal", "identity", "objectId"), entry.PrincipalId, StringComparison.OrdinalIgnoreCase);
        if (!same)
        {
            throw BackupManifest.Refused(manifest.Path, entry.Number, entry.Kind, entry.ResourceId,
                $"Azure shows a different {(isRole ? "principal, role or scope" : "principal")} there than the fix granted, so it is not the one the fix created");
        }

        plan.Add(new PlannedChange(operation, entry.ResourceId, "DELETE", $"Delete {what}, which the fix created", async context =>
        {
            using (await context.Arm.DeleteAsync($"{entry.ResourceId}?api-version={entry.ApiVersion}", entry.ResourceId, context.CancellationToken).ConfigureAwait(false))
            {
            }

            mark(entry, "");
        }) { PrincipalId = entry.PrincipalId, RoleName = entry.Role?.Name ?? "", Scope = entry.Scope });
    }

    private static async Task PlanVaultPolicyRemovalAsync(RemediationPlan plan, ArmRestClient arm, BackupEntry entry, Action<BackupEntry, string> mark, CancellationToken cancellationToken)
    {
        var policy = entry.VaultPolicy!;
        var permissions = string.Join(", ", ((JsonArray)JsonEdit.Get(policy, "permissions", "secrets")!).Select(p => p?.ToString()));
        var what = $"the Key Vault access policy (secrets: {permissions}) for principal {entry.PrincipalId} on key vault {entry.ResourceId}";
        if (!await VaultHasPolicyForAsync(arm, entry.ResourceId, entry.ApiVersion, entry.PrincipalId, cancellationToken).ConfigureAwait(false))
        {
            plan.AddInPlace(RemediationOperation.RemoveVaultAccessPolicy, entry.ResourceId, $"Already gone: {what}");
            return;
        }

        plan.Add(new PlannedChange(RemediationOperation.RemoveVaultAccessPolicy, $"{entry.ResourceId}/accessPolicies/remove", "PUT", $"Remove {what}, which the fix added", async context =>
        {
            var body = new JsonObject { ["properties"] = new JsonObject { ["accessPolicies"] = new JsonArray(policy.DeepClone()) } };
            using (await context.Arm.PutAsync($"{entry.ResourceId}/accessPolicies/remove?api-version={entry.ApiVersion}", JsonEdit.Serialize(body), entry.ResourceId, context.CancellationToken).ConfigureAwait(false))
            {
            }

            mark(entry, "");
        }) { PrincipalId = entry.PrincipalId, Scope = entry.ResourceId });
    }

    private static async Task PlanResourceAsync(RemediationPlan plan, ArmRestClient arm, BackupEntry entry,
        List<string> changedSinceFix, Action<BackupEntry, string> mark, IOperationSink sink, CancellationToken cancellationToken)
    {
        var resourceId = entry.ResourceId;
        var type = entry.ResourceType;
        var apiVersion = entry.ApiVersion;
        var saved = JsonEdit.ParseObject(entry.SavedText);
        var name = $"{Short(type)} {resourceId}";
        JsonObject current;
        try
        {
            using var document = await arm.GetAsync($"{resourceId}?api-version={apiVersion}", resourceId, cancellationToken).ConfigureAwait(false);
            current = JsonEdit.ToObject(document);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404)
        {
            throw new LogicAppAuthException("ResourceGone", FailureKind.ObjectNotFound,
                $"'{resourceId}' was deleted after the fix; this backup only puts back changes to existing resources, so nothing was restored. " +
                $"Its saved JSON is in '{entry.SavedPath}' if you want to recreate it.", resourceId, e);
        }

        var now = JsonEdit.Fingerprint(current);
        var restored = JsonEdit.String(entry.Raw, "fingerprintRestored");
        if (restored.Length > 0 && JsonEdit.SameFingerprint(now, restored))
        {
            plan.AddInPlace(RemediationOperation.RestoreResource, resourceId, $"{name} was already restored from this backup");
            return;
        }

        if (!(JsonEdit.Get(entry.Raw, "changes") is JsonArray changes) || changes.Count == 0)
        {
            plan.AddInPlace(RemediationOperation.RestoreResource, resourceId, $"{name} was backed up, but the fix never changed it");
            return;
        }

        var after = JsonEdit.String(entry.Raw, "fingerprintAfter");
        if (!JsonEdit.SameFingerprint(now, after))
        {
            changedSinceFix.Add($"{name} changed after the fix (changedTime {after} is now {now})");
        }
        else
        {
            plan.Remember(resourceId, current);
        }

        bool isSite = string.Equals(type, AzureResourceId.SiteType, StringComparison.OrdinalIgnoreCase);
        bool isConnection = string.Equals(type, AzureResourceId.ConnectionType, StringComparison.OrdinalIgnoreCase);
        if (isConnection)
        {
            var authentication = ConnectionDocument.Read(System.Text.Json.JsonDocument.Parse(JsonEdit.Serialize(saved)).RootElement).AuthenticationType;
            if (authentication == AuthenticationType.ServicePrincipal || authentication == AuthenticationType.Key)
            {
                sink.WriteWarning($"Connection {resourceId} signed in with a {(authentication == AuthenticationType.Key ? "key" : "service principal")} before the fix. " +
                    "Azure never returns secret values, so the backup has none: after the restore, enter the secret again (token:clientSecret or the key).");
            }
        }

        var method = isSite ? "PATCH" : "PUT";
        var description = isSite
            ? $"Put the identity of {name} back as it was before the fix (PATCH identity)"
            : $"Put {name} back as it was before the fix (PUT of the saved document)";
        plan.Add(new PlannedChange(RemediationOperation.RestoreResource, resourceId, method, description, async context =>
        {
            var result = await context.WriteAsync(resourceId, type, apiVersion, method, _ =>
            {
                var body = (JsonObject)saved.DeepClone();
                var identity = JsonEdit.Get(body, "identity") as JsonObject;
                var writable = new JsonObject { ["type"] = identity == null ? "None" : JsonEdit.String(identity, "type") };
                if (JsonEdit.Get(identity, "userAssignedIdentities") is JsonObject userAssigned && userAssigned.Count > 0)
                {
                    writable["userAssignedIdentities"] = new JsonObject(userAssigned.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, new JsonObject())));
                }

                if (isSite)
                {
                    return new JsonObject { ["identity"] = writable };
                }

                if (identity != null || string.Equals(type, AzureResourceId.WorkflowType, StringComparison.OrdinalIgnoreCase))
                {
                    body[identity == null ? "identity" : JsonEdit.KeyOf(body, "identity")] = writable;
                }

                return body;
            }).ConfigureAwait(false);
            mark(entry, JsonEdit.Fingerprint(result));
        }));
    }

    /// <summary>A Standard app's connections.json is put back to its exact saved text (PUT with If-Match of the file as read now).</summary>
    private static async Task PlanFileAsync(RemediationPlan plan, ArmRestClient arm, BackupEntry entry,
        List<string> changedSinceFix, Action<BackupEntry, string> mark, CancellationToken cancellationToken)
    {
        var saved = entry.SavedText;
        var address = entry.ResourceId;
        var siteId = AppConnectionsFile.SiteIdOf(address);
        var current = await AppConnectionsFile.ReadAsync(arm, siteId, cancellationToken).ConfigureAwait(false);
        var now = current.CurrentFingerprint;
        if (string.Equals(now, JsonEdit.String(entry.Raw, "fingerprintRestored"), StringComparison.Ordinal) || string.Equals(now, AppConnectionsFile.Fingerprint(saved), StringComparison.Ordinal))
        {
            plan.AddInPlace(RemediationOperation.RestoreResource, address, $"connections.json of Standard app {siteId} already reads as before the fix");
            return;
        }

        if (!(JsonEdit.Get(entry.Raw, "changes") is JsonArray changes) || changes.Count == 0)
        {
            plan.AddInPlace(RemediationOperation.RestoreResource, address, $"connections.json of Standard app {siteId} was backed up, but the fix never changed it");
            return;
        }

        var after = JsonEdit.String(entry.Raw, "fingerprintAfter");
        if (!JsonEdit.SameFingerprint(now, after))
        {
            changedSinceFix.Add($"connections.json of Standard app {siteId} changed after the fix (content {after} is now {now})");
        }
        else
        {
            plan.RememberFingerprint(address, now);
        }

        plan.Add(new PlannedChange(RemediationOperation.RestoreResource, address, "PUT", $"Put connections.json of Standard app {siteId} back as it was before the fix (PUT of the saved file)",
            async context =>
            {
                await context.WriteFileAsync(siteId, _ => saved).ConfigureAwait(false);
                mark(entry, AppConnectionsFile.Fingerprint(saved));
            }));
    }

    private static async Task<bool> VaultHasPolicyForAsync(ArmRestClient arm, string vaultId, string apiVersion, string objectId, CancellationToken cancellationToken)
    {
        using var vault = await arm.GetAsync($"{vaultId}?api-version={apiVersion}", vaultId, cancellationToken).ConfigureAwait(false);
        return (JsonEdit.Get(JsonEdit.ToObject(vault), "properties", "accessPolicies") as JsonArray)?.OfType<JsonObject>()
            .Any(p => string.Equals(JsonEdit.String(p, "objectId"), objectId, StringComparison.OrdinalIgnoreCase)) ?? false;
    }

    private static string Short(string resourceType)
    {
        switch (resourceType.ToLowerInvariant())
        {
            case "microsoft.logic/workflows": return "workflow";
            case "microsoft.web/connections": return "connection";
            case "microsoft.web/sites": return "Standard app";
            default: return resourceType;
        }
    }
}
