using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Diagnosis;

public sealed partial class ConnectorDiagnostician
{
    /// <summary>
    /// A Standard app's built-in connection: the app settings it names, a shared access signature's end, with
    /// -CheckKeys whether its key is still one of its target's, and for a managed identity the app's identity and its
    /// data role on the target. Secrets are compared in memory and never quoted.
    /// </summary>
    private async Task CheckBuiltInAsync(ConnectionFacts facts, BuiltInConnection connection, DiagnosisFindings findings, CancellationToken cancellationToken)
    {
        var entry = $"serviceProviderConnections['{connection.EntryName}'] of Standard app {connection.AppName}";
        foreach (var setting in connection.MissingSettings)
        {
            findings.Add(DiagnosisCause.AppSettingMissing, $"{entry} names app setting {setting}, which the app does not have (or is empty)");
        }

        if (connection.Unreadable.Length > 0)
        {
            findings.Skip("app setting check", connection.Unreadable);
        }

        switch (connection.Authentication)
        {
            case AuthenticationType.SharedAccessSignature:
                CheckSignature(connection, entry, findings);
                break;
            case AuthenticationType.Key:
                if (_options.CheckKeys)
                {
                    await CheckKeyAsync(connection, entry, findings, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    findings.Note($"the key in {entry} was not compared with its target's current keys (-CheckKeys does)");
                }

                break;
            case AuthenticationType.ManagedIdentity:
                await CheckBuiltInIdentityAsync(facts, connection, entry, findings, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private void CheckSignature(BuiltInConnection connection, string entry, DiagnosisFindings findings)
    {
        if (connection.Secret?.SignatureExpiry is DateTimeOffset end)
        {
            if (end <= _options.Now)
            {
                findings.Add(DiagnosisCause.SecretExpired, $"the shared access signature in {entry} ended {Date(end)} (its se= time)");
            }
            else
            {
                findings.Note($"the shared access signature in {entry} ends {Date(end)}");
            }
        }
        else
        {
            findings.Note($"the shared access signature in {entry} has no se= end");
        }
    }

    /// <summary>The connection string's key against its target's current keys (listKeys of the authorization rule or storage account).</summary>
    private async Task CheckKeyAsync(BuiltInConnection connection, string entry, DiagnosisFindings findings, CancellationToken cancellationToken)
    {
        var secret = connection.Secret!;
        var requirement = ConnectorRequirements.For(connection.ManagedApi);
        var targetName = ConnectorRequirements.ResourceNameFrom(secret.Endpoint);
        if (requirement == null || targetName.Length == 0 || secret.Key.Length == 0)
        {
            findings.Skip("key check", $"the module does not know where the {connection.Provider} key of {entry} comes from");
            return;
        }

        var subscriptionId = AzureResourceId.SubscriptionOf(connection.AppId);
        IReadOnlyList<JsonElement> candidates;
        try
        {
            candidates = await _access.TargetsAsync(subscriptionId, requirement.ResourceType, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e)
        {
            findings.Skip("key check", $"{requirement.ResourceType} list not readable ({e.HttpStatus} {e.ErrorId})");
            return;
        }

        var targetId = candidates.Select(c => Json.String(c, "id")).FirstOrDefault(id => string.Equals(AzureResourceId.LastSegment(id), targetName, StringComparison.OrdinalIgnoreCase));
        if (targetId == null)
        {
            findings.Skip("key check", $"{requirement.ResourceType} '{targetName}' is not in subscription {subscriptionId}");
            return;
        }

        bool storage = requirement.ResourceType.StartsWith("Microsoft.Storage/", StringComparison.OrdinalIgnoreCase);
        var entity = secret["EntityPath"];
        var rule = storage ? targetId : entity.Length > 0 && requirement.ResourceType.StartsWith("Microsoft.EventHub/", StringComparison.OrdinalIgnoreCase)
            ? $"{targetId}/eventhubs/{entity}/authorizationRules/{secret.KeyName}"
            : $"{targetId}/authorizationRules/{secret.KeyName}";
        var action = storage ? "Microsoft.Storage/storageAccounts/listKeys/action" : $"{requirement.ResourceType}/authorizationRules/listKeys/action";
        try
        {
            using var keys = await _arm.PostAsync($"{rule}/listKeys?api-version={ApiVersions.ForResourceType(requirement.ResourceType)}", null, rule, cancellationToken).ConfigureAwait(false);
            var current = storage
                ? Json.Path(keys.RootElement, "keys") is JsonElement list && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(k => Json.String(k, "value")).ToList() : new List<string>()
                : new List<string> { Json.String(keys.RootElement, "primaryKey"), Json.String(keys.RootElement, "secondaryKey") };
            if (current.Any(k => k.Length > 0 && string.Equals(k, secret.Key, StringComparison.Ordinal)))
            {
                findings.Note($"the key in {entry} is a current key of {AzureResourceId.LastSegment(rule)}");
            }
            else
            {
                findings.Add(DiagnosisCause.KeyRotated, $"the key in {entry} matches neither current key of {(storage ? "storage account " : "authorization rule ")}{rule} (it was regenerated)");
            }
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 403 || e.HttpStatus == 404)
        {
            findings.Skip("key check", $"keys of {rule} not readable ({e.HttpStatus} {e.ErrorId}; it needs {action})");
            if (e.HttpStatus == 403)
            {
                Warn("listkeys:" + action, $"-CheckKeys could not read the current keys ({e.HttpStatus} {e.ErrorId}); KeyRotated is not checked where {action} is missing.");
            }
        }
    }

    /// <summary>The app's identity that the entry's authProvider names, then its data role on the target, as for a managed connector.</summary>
    private async Task CheckBuiltInIdentityAsync(ConnectionFacts facts, BuiltInConnection connection, string entry, DiagnosisFindings findings, CancellationToken cancellationToken)
    {
        var identity = connection.AppIdentity;
        string principal = connection.IdentityId.Length > 0
            ? identity.UserAssigned.TryGetValue(connection.IdentityId.TrimEnd('/'), out var assigned) ? assigned : ""
            : identity.HasSystemAssigned ? identity.PrincipalId : "";
        var label = connection.IdentityId.Length > 0 ? "user-assigned identity " + AzureResourceId.LastSegment(connection.IdentityId) : "system-assigned identity";
        if (principal.Length == 0)
        {
            findings.Add(DiagnosisCause.ManagedIdentityNotAssigned, $"{entry} signs in with the app's {label}, which the app does not have (identity: {identity.Describe()})");
            return;
        }

        var requirement = ConnectorRequirements.For(connection.ManagedApi);
        if (requirement == null)
        {
            findings.Note($"roles for {connection.Provider} built-in connections are not checked through Azure RBAC");
            return;
        }

        await CheckPermissionAsync(facts, requirement, $"Standard app {connection.AppName}'s {label} ({principal})", principal, findings, cancellationToken).ConfigureAwait(false);
    }
}
