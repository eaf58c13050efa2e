using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// The reads a fix plans from, always fresh from ARM: the logic apps that use the connection (through the
/// inventory's reader of references, over the subscription's ARM lists rather than Resource Graph, whose copy can
/// lag), the connector's metadata, the documents to change, the target's access, and api-versions for any type.
/// </summary>
internal sealed class RemediationReads
{
    private readonly ArmRestClient _arm;
    private readonly ConnectorInventory _inventory;
    private readonly ProviderApiVersions _providerVersions;

    public RemediationReads(ArmRestClient arm, ConnectorInventory inventory, ProviderApiVersions providerVersions)
    {
        _arm = arm;
        _inventory = inventory;
        _providerVersions = providerVersions;
        Access = new RoleAccessReader(arm);
    }

    public ArmRestClient Arm => _arm;
    public RoleAccessReader Access { get; }

    /// <summary>Consumption workflows in the connection's subscription whose $connections name it, each read fresh (ordered by id).</summary>
    public async Task<List<JsonObject>> WorkflowsUsingAsync(AzureResourceId connection, CancellationToken cancellationToken)
    {
        var users = await UsersAsync(connection, cancellationToken).ConfigureAwait(false);
        var workflows = new List<JsonObject>();
        foreach (var workflowId in users.Where(u => !u.IsStandardApp).Select(u => u.ResourceId).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(i => i, StringComparer.OrdinalIgnoreCase))
        {
            workflows.Add(await ReadAsync(workflowId, ApiVersions.Workflows, cancellationToken).ConfigureAwait(false));
        }

        return workflows;
    }

    /// <summary>Standard apps in the subscription whose connections.json names the connection, read fresh, with the file as listed.</summary>
    public async Task<List<(JsonObject Site, AppConnectionsFile Listed)>> StandardAppsUsingAsync(AzureResourceId connection, CancellationToken cancellationToken)
    {
        var users = await UsersAsync(connection, cancellationToken).ConfigureAwait(false);
        var result = new List<(JsonObject, AppConnectionsFile)>();
        foreach (var siteId in users.Where(u => u.IsStandardApp).Select(u => u.ResourceId).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase))
        {
            var listed = await ListedAsync(siteId, cancellationToken).ConfigureAwait(false);
            if (listed.EntriesFor(connection.Id).Count > 0)
            {
                result.Add((await ReadAsync(siteId, ApiVersions.Sites, cancellationToken).ConfigureAwait(false), listed));
            }
        }

        return result;
    }

    /// <summary>A Standard app (read fresh) and what its connections.json says: its built-in connections and the workflows that call them.</summary>
    public async Task<(JsonObject Site, ReferenceMap App, AppConnectionsFile Listed)> StandardAppAsync(string siteId, CancellationToken cancellationToken)
    {
        using var site = await _arm.GetAsync($"{siteId}?api-version={ApiVersions.Sites}", siteId, cancellationToken).ConfigureAwait(false);
        AppConnectionsFile? listed = null;
        var app = await _inventory.StandardAppConnectionsAsync(site.RootElement, cancellationToken,
            (file, values) => listed = AppConnectionsFile.FromListed(siteId, JsonNode.Parse(file.GetRawText()), values)).ConfigureAwait(false);

        // The inventory leaves an app it may not read out; reading it again here reports why.
        listed ??= await ListedAsync(siteId, cancellationToken).ConfigureAwait(false);
        return (JsonEdit.ToObject(site), app, listed);
    }

    /// <summary>A Standard app's connections.json as listWorkflowsConnections shows it, with the values its expressions resolve to.</summary>
    private async Task<AppConnectionsFile> ListedAsync(string siteId, CancellationToken cancellationToken)
    {
        using var response = await _arm.PostAsync($"{siteId}/listWorkflowsConnections?api-version={ApiVersions.ListWorkflowsConnections}", null, siteId, cancellationToken)
            .ConfigureAwait(false);
        using var file = ConnectionReferenceReader.ConnectionsFile(response.RootElement);
        var values = file == null ? DeploymentValues.None : await DeploymentValues.ReadAsync(_arm, siteId, file.RootElement, cancellationToken).ConfigureAwait(false);
        return AppConnectionsFile.FromListed(siteId, file == null ? null : JsonNode.Parse(file.RootElement.GetRawText()), values);
    }

    public async Task<ConnectorShape> ShapeAsync(string subscriptionId, string location, string apiName, CancellationToken cancellationToken)
    {
        var path = $"/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis/{apiName}";
        try
        {
            using var document = await _arm.GetAsync($"{path}?api-version={ApiVersions.Connections}", path, cancellationToken).ConfigureAwait(false);
            return ConnectorShape.Read(JsonEdit.ToObject(document));
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404)
        {
            return ConnectorShape.Read(null);
        }
    }

    public async Task<JsonObject> ReadAsync(string resourceId, string apiVersion, CancellationToken cancellationToken)
    {
        using var document = await _arm.GetAsync($"{resourceId}?api-version={apiVersion}", resourceId, cancellationToken).ConfigureAwait(false);
        return JsonEdit.ToObject(document);
    }

    /// <summary>The api-version to read a target resource with: the module's own for the types it knows, else the newest stable one its provider registers.</summary>
    public async Task<string> VersionForAsync(AzureResourceId resource, CancellationToken cancellationToken) =>
        ApiVersions.ForResourceType(resource.ResourceType) ?? await _providerVersions.ForAsync(_arm, resource, cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<ConnectionReference>> UsersAsync(AzureResourceId connection, CancellationToken cancellationToken) =>
        (await _inventory.SubscriptionReferencesAsync(connection.SubscriptionId, cancellationToken).ConfigureAwait(false)).For(connection.Id);
}
