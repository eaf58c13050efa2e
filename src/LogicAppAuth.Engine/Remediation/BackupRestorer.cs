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

namespace LogicAppAuth.Engine.Remediation
{
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
        private readonly AzureSession session;
        private readonly bool force;

        public BackupRestorer(AzureSession session, bool force)
        {
            this.session = session;
            this.force = force;
        }

        public async Task<RemediationPlan> PlanAsync(string folder, IOperationSink sink, CancellationToken cancellationToken)
        {
            var manifestPath = Path.Combine(folder, BackupStore.ManifestName);
            if (!File.Exists(manifestPath))
            {
                throw new LogicAppAuthException("BackupNotFound", FailureKind.ObjectNotFound,
                    $"'{folder}' holds no {BackupStore.ManifestName}. Give the folder that Set-LogicConnectorManagedIdentity wrote (its -BackupPath, or the BackupPath of its -PassThru output).", folder);
            }

            var manifest = JsonEdit.ParseObject(File.ReadAllText(manifestPath));
            if (!string.Equals(JsonEdit.String(manifest, "schema"), BackupStore.Schema, StringComparison.Ordinal) || !(JsonEdit.Get(manifest, "entries") is JsonArray entries))
            {
                throw new LogicAppAuthException("BackupNotReadable", FailureKind.InvalidArgument, $"'{manifestPath}' is not a LogicAppAuth backup manifest ({BackupStore.Schema}).", manifestPath);
            }

            var items = entries.OfType<JsonObject>().ToList();
            if (items.Count == 0)
            {
                throw new LogicAppAuthException("BackupEmpty", FailureKind.InvalidArgument, $"The backup in '{folder}' records no change; there is nothing to restore.", folder);
            }

            var safety = new BackupStore(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)) ?? ".",
                Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)) + "-before-restore-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            var plan = new RemediationPlan(session, safety, JsonEdit.String(items[0], "resourceId"), "", $"Restore-LogicAppAuthBackup -Path '{safety.Folder.Replace("'", "''")}' (the state before this restore)", resultsPerTarget: true);
            var arm = session.Arm(sink);
            var changedSinceFix = new List<string>();
            var manifestLock = new object();
            void Mark(JsonObject entry, string fingerprintRestored)
            {
                lock (manifestLock)
                {
                    entry["restoredTime"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);
                    entry["fingerprintRestored"] = fingerprintRestored;
                    File.WriteAllText(manifestPath, JsonEdit.Serialize(manifest, indented: true), new UTF8Encoding(false));
                }
            }

            for (int i = items.Count - 1; i >= 0; i--)
            {
                var entry = items[i];
                var kind = JsonEdit.String(entry, "kind");
                var resourceId = JsonEdit.String(entry, "resourceId");
                var apiVersion = JsonEdit.String(entry, "apiVersion");
                var description = JsonEdit.String(entry, "description");
                switch (kind)
                {
                    case "RoleAssignment":
                    case "AccessPolicy":
                        if (!await ExistsAsync(arm, resourceId, apiVersion, cancellationToken).ConfigureAwait(false))
                        {
                            plan.AddInPlace(kind == "RoleAssignment" ? RemediationOperation.DeleteRoleAssignment : RemediationOperation.DeleteAccessPolicy, resourceId,
                                $"Already gone: {Undo(description)}");
                            break;
                        }

                        plan.Add(new PlannedChange(kind == "RoleAssignment" ? RemediationOperation.DeleteRoleAssignment : RemediationOperation.DeleteAccessPolicy, resourceId, "DELETE",
                            $"Delete what the fix created: {Undo(description)}", async context =>
                            {
                                using (await context.Arm.DeleteAsync($"{resourceId}?api-version={apiVersion}", resourceId, context.CancellationToken).ConfigureAwait(false))
                                {
                                }

                                Mark(entry, "");
                            }) { PrincipalId = JsonEdit.String(entry, "principalId"), RoleName = JsonEdit.String(entry, "roleName"), Scope = JsonEdit.String(entry, "scope") });
                        break;
                    case "VaultAccessPolicy":
                        var policy = JsonEdit.Get(entry, "policy")?.DeepClone();
                        if (!await VaultHasPolicyForAsync(arm, resourceId, apiVersion, JsonEdit.String(policy, "objectId"), cancellationToken).ConfigureAwait(false))
                        {
                            plan.AddInPlace(RemediationOperation.RemoveVaultAccessPolicy, resourceId, $"Already gone: {Undo(description)}");
                            break;
                        }

                        plan.Add(new PlannedChange(RemediationOperation.RemoveVaultAccessPolicy, $"{resourceId}/accessPolicies/remove", "PUT",
                            $"Remove the Key Vault access policy the fix added: {Undo(description)}", async context =>
                            {
                                var body = new JsonObject { ["properties"] = new JsonObject { ["accessPolicies"] = new JsonArray(policy?.DeepClone()) } };
                                using (await context.Arm.PutAsync($"{resourceId}/accessPolicies/remove?api-version={apiVersion}", JsonEdit.Serialize(body), resourceId, context.CancellationToken).ConfigureAwait(false))
                                {
                                }

                                Mark(entry, "");
                            }) { PrincipalId = JsonEdit.String(policy, "objectId"), Scope = resourceId });
                        break;
                    case "Resource":
                        await PlanResourceAsync(plan, arm, folder, entry, resourceId, apiVersion, changedSinceFix, Mark, sink, cancellationToken).ConfigureAwait(false);
                        break;
                    case "File":
                        await PlanFileAsync(plan, arm, folder, entry, resourceId, changedSinceFix, Mark, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        sink.WriteWarning($"The backup manifest has an entry of kind '{kind}' that this version does not know; it was left alone ({resourceId}).");
                        break;
                }
            }

            if (changedSinceFix.Count > 0 && !force)
            {
                throw new LogicAppAuthException("ResourceChangedSinceFix", FailureKind.ResourceExists,
                    $"Nothing was restored: {string.Join("; ", changedSinceFix)}. Restoring would overwrite those later changes. " +
                    "Look at them first; add -Force to restore anyway.", folder);
            }

            return plan;
        }

        private async Task PlanResourceAsync(RemediationPlan plan, ArmRestClient arm, string folder, JsonObject entry, string resourceId, string apiVersion,
            List<string> changedSinceFix, Action<JsonObject, string> mark, IOperationSink sink, CancellationToken cancellationToken)
        {
            var type = JsonEdit.String(entry, "resourceType");
            var file = BackupFile(folder, entry);
            var saved = JsonEdit.ParseObject(File.ReadAllText(file));
            var name = JsonEdit.String(saved, "name");
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
                    $"Its saved JSON is in '{file}' if you want to recreate it.", resourceId, e);
            }

            var now = JsonEdit.Fingerprint(current);
            var restored = JsonEdit.String(entry, "fingerprintRestored");
            if (restored.Length > 0 && string.Equals(now, restored, StringComparison.Ordinal))
            {
                plan.AddInPlace(RemediationOperation.RestoreResource, resourceId, $"{Short(type)} {name} was already restored from this backup");
                return;
            }

            if (!(JsonEdit.Get(entry, "changes") is JsonArray changes) || changes.Count == 0)
            {
                plan.AddInPlace(RemediationOperation.RestoreResource, resourceId, $"{Short(type)} {name} was backed up, but the fix never changed it");
                return;
            }

            var after = JsonEdit.String(entry, "fingerprintAfter");
            if (!string.Equals(now, after, StringComparison.Ordinal))
            {
                changedSinceFix.Add($"{Short(type)} {name} changed after the fix (changedTime {after} is now {now})");
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
                    sink.WriteWarning($"Connection {name} signed in with a {(authentication == AuthenticationType.Key ? "key" : "service principal")} before the fix. " +
                        "Azure never returns secret values, so the backup has none: after the restore, enter the secret again (token:clientSecret or the key).");
                }
            }

            var method = isSite ? "PATCH" : "PUT";
            var description = isSite
                ? $"Put the identity of Standard app {name} back as it was before the fix (PATCH identity)"
                : $"Put {Short(type)} {name} back as it was before the fix (PUT of the saved document)";
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
        private static async Task PlanFileAsync(RemediationPlan plan, ArmRestClient arm, string folder, JsonObject entry, string address,
            List<string> changedSinceFix, Action<JsonObject, string> mark, CancellationToken cancellationToken)
        {
            var saved = File.ReadAllText(BackupFile(folder, entry));
            var siteId = AppConnectionsFile.SiteIdOf(address);
            var app = siteId.Substring(siteId.LastIndexOf('/') + 1);
            var current = await AppConnectionsFile.ReadAsync(arm, siteId, cancellationToken).ConfigureAwait(false);
            var now = current.CurrentFingerprint;
            if (string.Equals(now, JsonEdit.String(entry, "fingerprintRestored"), StringComparison.Ordinal) || string.Equals(now, AppConnectionsFile.Fingerprint(saved), StringComparison.Ordinal))
            {
                plan.AddInPlace(RemediationOperation.RestoreResource, address, $"connections.json of Standard app {app} already reads as before the fix");
                return;
            }

            if (!(JsonEdit.Get(entry, "changes") is JsonArray changes) || changes.Count == 0)
            {
                plan.AddInPlace(RemediationOperation.RestoreResource, address, $"connections.json of Standard app {app} was backed up, but the fix never changed it");
                return;
            }

            var after = JsonEdit.String(entry, "fingerprintAfter");
            if (!string.Equals(now, after, StringComparison.Ordinal))
            {
                changedSinceFix.Add($"connections.json of Standard app {app} changed after the fix (content {after} is now {now})");
            }
            else
            {
                plan.RememberFingerprint(address, now);
            }

            plan.Add(new PlannedChange(RemediationOperation.RestoreResource, address, "PUT", $"Put connections.json of Standard app {app} back as it was before the fix (PUT of the saved file)",
                async context =>
                {
                    await context.WriteFileAsync(siteId, _ => saved).ConfigureAwait(false);
                    mark(entry, AppConnectionsFile.Fingerprint(saved));
                }));
        }

        private static string BackupFile(string folder, JsonObject entry)
        {
            var file = Path.Combine(folder, JsonEdit.String(entry, "file"));
            if (!File.Exists(file))
            {
                throw new LogicAppAuthException("BackupFileMissing", FailureKind.ObjectNotFound, $"The backup file '{file}' named in the manifest is missing; nothing was restored.", file);
            }

            return file;
        }

        private static async Task<bool> VaultHasPolicyForAsync(ArmRestClient arm, string vaultId, string apiVersion, string objectId, CancellationToken cancellationToken)
        {
            using var vault = await arm.GetAsync($"{vaultId}?api-version={apiVersion}", vaultId, cancellationToken).ConfigureAwait(false);
            return (JsonEdit.Get(JsonEdit.ToObject(vault), "properties", "accessPolicies") as JsonArray)?.OfType<JsonObject>()
                .Any(p => string.Equals(JsonEdit.String(p, "objectId"), objectId, StringComparison.OrdinalIgnoreCase)) ?? false;
        }

        private static async Task<bool> ExistsAsync(ArmRestClient arm, string resourceId, string apiVersion, CancellationToken cancellationToken)
        {
            try
            {
                using (await arm.GetAsync($"{resourceId}?api-version={apiVersion}", resourceId, cancellationToken).ConfigureAwait(false))
                {
                }

                return true;
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
                return false;
            }
        }

        private static string Undo(string description) => description.Length == 0 ? "(no description)" : description;

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
}
