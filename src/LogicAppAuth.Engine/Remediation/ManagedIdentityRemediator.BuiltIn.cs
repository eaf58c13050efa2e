using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// Planning the move of a Standard app's built-in connection from a key, signature or connection string to the app's
/// managed identity: the identity (enabled when missing), the narrowest data role on the target, and the
/// connections.json entry rewritten to the provider's managed-identity parameters. The app setting that held the
/// secret is left in place and named, for the operator to remove once the app runs.
/// </summary>
public sealed partial class ManagedIdentityRemediator
{
    private async Task<RemediationPlan> PlanBuiltInAsync(RemediationReads reads, AzureResourceId id, IOperationSink sink, CancellationToken cancellationToken)
    {
        var (siteId, entryName) = BuiltInConnection.Split(id.Id);
        var (site, app, listed) = await reads.StandardAppAsync(siteId, cancellationToken).ConfigureAwait(false);
        var connection = app.BuiltIns.FirstOrDefault(b => string.Equals(b.EntryName, entryName, StringComparison.OrdinalIgnoreCase))
            ?? throw new LogicAppAuthException("ResourceNotFound", FailureKind.ObjectNotFound,
                $"Standard app {AzureResourceId.LastSegment(siteId)} has no built-in connection '{entryName}' in its connections.json; nothing was changed. " +
                "Check the name (Get-LogicConnectorStatus lists them).", id.Id) { HttpStatus = 404 };
        var requirement = ConnectorRequirements.For(connection.ManagedApi);
        if (requirement == null || connection.ManagedIdentityEndpointParameter.Length == 0)
        {
            throw new LogicAppAuthException("ManagedIdentityNotSupported", FailureKind.InvalidArgument,
                $"The module does not know the {connection.Provider} built-in connector's managed-identity parameters, so {connection.Name} was not changed. " +
                "Switch it in the designer (Connection > Managed identity), or grant its identity access and edit connections.json yourself.", id.Id);
        }

        var name = JsonEdit.String(site, "name");
        var wanted = _options.UserAssignedIdentityId.Length > 0 ? _options.UserAssignedIdentityId
            : connection.Authentication == AuthenticationType.ManagedIdentity ? connection.IdentityId : "";
        var plan = new RemediationPlan(_session, _backups, id.Id, connection.Provider, $"Restore-LogicAppAuthBackup -Path '{_backups.Folder.Replace("'", "''")}'");
        if (!MayUse(site, siteId, wanted, id.Id, sink))
        {
            return plan;
        }

        _backups.NoteFix(connectionId: id.Id, holderId: siteId);
        plan.Remember(siteId, site);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (connection.Endpoint.Length > 0)
        {
            parameters[requirement.TargetParameters[0]] = connection.Endpoint;
        }

        var context = new ConnectionPlanContext(plan, reads, id, new JsonObject(), connection.ManagedApi, ConnectorShape.Read(null), parameters, sink, cancellationToken);
        var (enable, label) = PlanSiteIdentity(plan, site, siteId, name, wanted);
        var calls = app.For(id.Id);
        var usage = (calls.Any(c => c.CalledByTrigger) ? ConnectionUsage.Receive : ConnectionUsage.None) | (calls.Any(c => c.CalledByAction) ? ConnectionUsage.Send : ConnectionUsage.None);
        var access = await PlanAccessAsync(context, usage, new[] { (siteId, name, enable, label) }).ConfigureAwait(false);
        var endpoint = EndpointOf(access.Target, connection.ManagedIdentityEndpointParameter)
            ?? throw new LogicAppAuthException("TargetEndpointUnknown", FailureKind.InvalidArgument,
                $"The {connection.Provider} endpoint of {JsonEdit.String(access.Target, "id")} could not be read from the resource, so {connection.Name} was not changed. " +
                "Name the resource with -TargetResourceId.", id.Id);

        var address = AppConnectionsFile.AddressOf(siteId);
        if (listed.BuiltInUsesManagedIdentity(entryName, wanted))
        {
            plan.AddInPlace(RemediationOperation.SetAppConnectionAuthentication, address, $"serviceProviderConnections['{entryName}'] of Standard app {name} already signs in with {label}");
            return plan;
        }

        var unused = connection.Settings.Where(s => !s.StartsWith("WORKFLOWS_", StringComparison.OrdinalIgnoreCase)).ToList();
        var leftOver = unused.Count == 0 ? "" : $"; app setting {string.Join(", ", unused)} is then unused and left in place: remove it once the app runs";
        var description = $"Set serviceProviderConnections['{entryName}'] in connections.json of Standard app {name} to {label} " +
            $"({connection.ManagedIdentityEndpointParameter} {endpoint}; was {connection.Authentication}){leftOver}";
        plan.Add(new PlannedChange(RemediationOperation.SetAppConnectionAuthentication, address, "PUT", description,
            ctx => ctx.WriteFileAsync(siteId, fresh => fresh.WithBuiltInManagedIdentity(entryName, connection.ManagedIdentityEndpointParameter, endpoint, wanted), listed.Values),
            new[] { enable }.Concat(plan.Changes.Where(c => c.Operation == RemediationOperation.AssignRole || c.Operation == RemediationOperation.AddVaultAccessPolicy))));
        if (unused.Count > 0)
        {
            sink.WriteVerbose($"After the switch, app setting {string.Join(", ", unused)} of Standard app {name} is no longer used by {connection.Name}; it is left in place.");
        }

        return plan;
    }

    /// <summary>The managed-identity endpoint value from the target resource as ARM returns it (sovereign clouds included); null when it names none.</summary>
    private static string? EndpointOf(JsonObject? target, string endpointParameter)
    {
        string Url(params string[] path) => JsonEdit.String(target, path).TrimEnd('/');
        string? value;
        switch (endpointParameter)
        {
            case "fullyQualifiedNamespace":
                value = Uri.TryCreate(Url("properties", "serviceBusEndpoint"), UriKind.Absolute, out var uri) ? uri.Host : null;
                break;
            case "blobStorageEndpoint":
                value = Url("properties", "primaryEndpoints", "blob");
                break;
            case "tableStorageEndpoint":
                value = Url("properties", "primaryEndpoints", "table");
                break;
            case "queueServiceUri":
                value = Url("properties", "primaryEndpoints", "queue");
                break;
            case "VaultUri":
                value = Url("properties", "vaultUri");
                break;
            default:
                value = null;
                break;
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }
}
