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
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Remediation;

public sealed class ManagedIdentityOptions
{
    /// <summary>The resource to grant the role on, when the connection does not name it.</summary>
    public string TargetResourceId { get; set; } = "";

    /// <summary>A user-assigned identity to use instead of the logic app's system-assigned one.</summary>
    public string UserAssignedIdentityId { get; set; } = "";

    /// <summary>Roles named by the user (names or GUIDs), instead of the table's choice.</summary>
    public IReadOnlyList<string> Roles { get; set; } = Array.Empty<string>();
}

/// <summary>
/// Plans the switch of one API connection to a managed identity. Consumption (V1): the workflows that use it get an
/// identity (PATCH identity), the connection gets the connector's managed-identity shape (PUT), <c>$connections</c>
/// gets <c>connectionProperties.authentication</c> (GET → change → PUT of the whole workflow), and the identity gets
/// the narrowest role at the target resource. Standard (V2): the app gets an identity (PATCH), the connection an
/// access policy for it, the app's connections.json entry the managed-identity authentication (PUT of the file), and,
/// where the connector supports it, the connection the managed-identity shape and the role.
/// Planning only reads; every write is a <see cref="PlannedChange"/>.
/// </summary>
public sealed partial class ManagedIdentityRemediator
{
    private const string ManagedServiceIdentity = "ManagedServiceIdentity";

    private readonly AzureSession _session;
    private readonly BackupStore _backups;
    private readonly ManagedIdentityOptions _options;
    private readonly ProviderApiVersions _providerVersions = new ProviderApiVersions();

    public ManagedIdentityRemediator(AzureSession session, BackupStore backups, ManagedIdentityOptions options)
    {
        _session = session;
        _backups = backups;
        _options = options;
    }

    public async Task<RemediationPlan> PlanAsync(string connectionId, IOperationSink sink, CancellationToken cancellationToken)
    {
        var id = AzureResourceId.Parse(connectionId);
        var arm = _session.Arm(sink);
        var reads = new RemediationReads(arm, new ConnectorInventory(_session, sink, new InventoryOptions(useResourceGraph: false)), _providerVersions);
        if (id.IsType(BuiltInConnection.ResourceType))
        {
            return await PlanBuiltInAsync(reads, id, sink, cancellationToken).ConfigureAwait(false);
        }

        if (!id.IsType(AzureResourceId.ConnectionType))
        {
            throw new LogicAppAuthException("NotAConnection", FailureKind.InvalidArgument,
                $"'{id.Id}' is a {id.ResourceType}, not an API connection (Microsoft.Web/connections) or a Standard app's built-in connection ({{app id}}/serviceProviderConnections/{{name}}). Pipe connections from Get-LogicConnectorStatus or Test-LogicConnectorAuth.", id.Id);
        }

        var connection = await reads.ReadAsync(id.Id, ApiVersions.Connections, cancellationToken).ConfigureAwait(false);
        var properties = JsonEdit.Get(connection, "properties");
        var apiName = JsonEdit.String(properties, "api", "name");
        var apiId = JsonEdit.String(properties, "api", "id");
        if (apiName.Length == 0)
        {
            apiName = AzureResourceId.LastSegment(apiId);
        }

        var location = JsonEdit.String(connection, "location");
        bool standard = string.Equals(JsonEdit.String(connection, "kind"), "V2", StringComparison.OrdinalIgnoreCase);
        var shape = await reads.ShapeAsync(id.SubscriptionId, location, apiName, cancellationToken).ConfigureAwait(false);
        if (shape.Style == ManagedIdentityStyle.NotSupported && !standard)
        {
            throw NotSupported(id, apiName);
        }

        _backups.NoteFix(connectionId: id.Id);
        var plan = new RemediationPlan(_session, _backups, id.Id, apiName, $"Restore-LogicAppAuthBackup -Path '{_backups.Folder.Replace("'", "''")}'");
        plan.Remember(id.Id, connection);
        using var document = JsonDocumentOf(connection);
        var context = new ConnectionPlanContext(plan, reads, id, connection, apiName, shape, ConnectionFacts.Read(document.RootElement).Parameters, sink, cancellationToken);
        if (standard)
        {
            await PlanStandardAsync(context).ConfigureAwait(false);
        }
        else
        {
            await PlanConsumptionAsync(context).ConfigureAwait(false);
        }

        return plan;
    }

    private async Task PlanConsumptionAsync(ConnectionPlanContext c)
    {
        var (plan, id) = (c.Plan, c.Id);
        var workflows = await c.Reads.WorkflowsUsingAsync(id, c.CancellationToken).ConfigureAwait(false);
        if (workflows.Count == 0)
        {
            throw new LogicAppAuthException("ConnectionNotUsed", FailureKind.InvalidArgument,
                $"No Consumption workflow in subscription {id.SubscriptionId} uses connection '{id.Name}'. A managed identity belongs to a logic app, " +
                "so there is no identity to switch it to; reference the connection from a workflow first.", id.Id);
        }

        var usage = ConnectionUsage.None;
        var identities = new List<(string HolderId, string HolderName, PlannedChange? Enable, string Label)>();
        foreach (var workflow in workflows)
        {
            var workflowId = JsonEdit.String(workflow, "id");
            var name = JsonEdit.String(workflow, "name");
            _backups.NoteFix(holderId: workflowId);
            plan.Remember(workflowId, workflow);
            usage |= UsageOf(workflow, id.Id);

            var (enable, label) = PlanWorkflowIdentity(plan, workflow, workflowId, name);
            identities.Add((workflowId, name, enable, label));
        }

        var roles = await PlanAccessAsync(c, usage, identities).ConfigureAwait(false);
        var switchConnection = PlanConnectionShape(c, roles.Target, identities.Select(i => i.Enable));

        foreach (var workflow in workflows)
        {
            var workflowId = JsonEdit.String(workflow, "id");
            var name = JsonEdit.String(workflow, "name");
            var holder = identities.First(i => string.Equals(i.HolderId, workflowId, StringComparison.OrdinalIgnoreCase));
            var desiredIdentity = UserAssignedFor(workflow);
            var references = References(workflow, id.Id).Where(r => !HasManagedIdentityAuthentication(workflow, r, desiredIdentity, id.Id)).ToList();
            if (references.Count == 0)
            {
                plan.AddInPlace(RemediationOperation.RewireWorkflow, workflowId, $"$connections of workflow {name} already authenticate connection {id.Name} with {ManagedServiceIdentity}");
                continue;
            }

            SecureWorkflowParameters.EnsureNoneHidden(workflow, workflowId, name);
            var description = $"Set connectionProperties.authentication to {ManagedServiceIdentity}{(desiredIdentity.Length > 0 ? $" ({AzureResourceId.LastSegment(desiredIdentity)})" : "")} " +
                $"for $connections['{string.Join("', '", references)}'] of workflow {name} (PUT of the whole workflow, every other property kept)";
            plan.Add(new PlannedChange(RemediationOperation.RewireWorkflow, workflowId, "PUT", description, async context =>
            {
                await context.WriteAsync(workflowId, AzureResourceId.WorkflowType, ApiVersions.Workflows, "PUT", fresh =>
                {
                    SecureWorkflowParameters.EnsureNoneHidden(fresh, workflowId, name);
                    WritableIdentity(fresh);
                    var userAssigned = UserAssignedFor(fresh);
                    foreach (var reference in References(fresh, id.Id))
                    {
                        var entry = (JsonObject)JsonEdit.Get(fresh, "properties", "parameters", "$connections", "value", reference)!;
                        var authentication = JsonEdit.Child(JsonEdit.Child(entry, "connectionProperties"), "authentication");
                        authentication[JsonEdit.KeyOf(authentication, "type")] = ManagedServiceIdentity;
                        if (userAssigned.Length > 0)
                        {
                            authentication[JsonEdit.KeyOf(authentication, "identity")] = userAssigned;
                        }
                        else
                        {
                            JsonEdit.Remove(authentication, "identity");
                        }
                    }

                    return fresh;
                }).ConfigureAwait(false);
            }, new[] { holder.Enable, switchConnection }));
        }
    }

    private async Task PlanStandardAsync(ConnectionPlanContext c)
    {
        var (plan, id, connection, apiName, shape, sink) = (c.Plan, c.Id, c.Connection, c.ApiName, c.Shape, c.Sink);
        var apps = await c.Reads.StandardAppsUsingAsync(id, c.CancellationToken).ConfigureAwait(false);
        if (apps.Count == 0)
        {
            throw new LogicAppAuthException("ConnectionNotUsed", FailureKind.InvalidArgument,
                $"No Standard logic app in subscription {id.SubscriptionId} names V2 connection '{id.Name}' in its connections.json, so there is no app identity to give access to it.", id.Id);
        }

        // Every app is looked at (one warning each) before the fix of this connection is given up.
        if (apps.Count(app => !MayUse(app.Site, JsonEdit.String(app.Site, "id"), AppUserAssignedIdentity(app.Listed, id.Id), id.Id, sink)) > 0)
        {
            return;
        }

        var policies = await c.Reads.Access.AccessPolicyPrincipalsAsync(id.Id, c.CancellationToken).ConfigureAwait(false);
        var identities = new List<(string HolderId, string HolderName, PlannedChange? Enable, string Label)>();
        foreach (var (site, listed) in apps)
        {
            var siteId = JsonEdit.String(site, "id");
            var name = JsonEdit.String(site, "name");
            _backups.NoteFix(holderId: siteId);
            plan.Remember(siteId, site);
            var userAssigned = AppUserAssignedIdentity(listed, id.Id);
            var (enable, label) = PlanSiteIdentity(plan, site, siteId, name, userAssigned);
            identities.Add((siteId, name, enable, label));

            var principal = plan.PrincipalOf(siteId);
            PlannedChange? addPolicy = null;
            if (principal.Length > 0 && policies.Contains(principal))
            {
                plan.AddInPlace(RemediationOperation.AddAccessPolicy, id.Id, $"Connection {id.Name} already has an access policy for {label} ({principal})", principal);
            }
            else
            {
                var tenant = JsonEdit.String(site, "identity", "tenantId");
                addPolicy = new PlannedChange(RemediationOperation.AddAccessPolicy, $"{id.Id}/accessPolicies/{(principal.Length > 0 ? principal : "<principal>")}", "PUT",
                    $"Add an access policy for {label} to V2 connection {id.Name}", async context =>
                    {
                        var objectId = context.Plan.PrincipalOf(siteId);
                        var policyId = $"{id.Id}/accessPolicies/{objectId}";
                        context.Change.TargetResourceId = policyId;
                        var body = new JsonObject
                        {
                            ["location"] = JsonEdit.String(connection, "location"),
                            ["properties"] = new JsonObject
                            {
                                ["principal"] = new JsonObject
                                {
                                    ["type"] = "ActiveDirectory",
                                    ["identity"] = new JsonObject { ["objectId"] = objectId, ["tenantId"] = tenant.Length > 0 ? tenant : context.Plan.PrincipalOf(siteId + "|tenant") },
                                },
                            },
                        };
                        using (await context.Arm.PutAsync($"{policyId}?api-version={ApiVersions.Connections}", JsonEdit.Serialize(body), policyId, context.CancellationToken).ConfigureAwait(false))
                        {
                        }

                        context.Change.PrincipalId = objectId;
                        context.Plan.Backups.RecordCreated("AccessPolicy", policyId, context.Change.Description, new JsonObject { ["principalId"] = objectId });
                    }, new[] { enable }) { PrincipalId = principal };
                plan.Add(addPolicy);
            }

            await PlanAppConnectionsAsync(c, siteId, name, listed, userAssigned, new[] { enable, addPolicy }).ConfigureAwait(false);
        }

        if (shape.Style == ManagedIdentityStyle.NotSupported)
        {
            sink.WriteWarning($"The {apiName} connector cannot sign in to its service with a managed identity, so V2 connection {id.Name} keeps its own sign-in " +
                "(only the app's access to the connection was set up). If that sign-in fails, re-consent it (Get-LogicConnectorConsentLink), use a service principal, " +
                "or call the service with the HTTP action and the app's managed identity.");
            return;
        }

        if (shape.IsManagedIdentity(connection) || (!RoleTable.Covers(apiName) && _options.Roles.Count == 0))
        {
            // Either done already, or the module cannot finish the connector's own switch (no role it knows): the
            // connection keeps its sign-in, and only the app's access to it was set up.
            if (!shape.IsManagedIdentity(connection))
            {
                sink.WriteVerbose($"V2 connection {id.Name} keeps its own sign-in: no built-in role is known for the {apiName} connector's service " +
                    "(name one with -Role and -TargetResourceId to switch the connection itself to the managed identity).");
            }
            else
            {
                await PlanAccessAsync(c, ConnectionUsage.None, identities).ConfigureAwait(false);
                plan.AddInPlace(RemediationOperation.SetConnectionAuthentication, id.Id, $"Connection {id.Name} already signs in with the logic app's managed identity");
            }

            return;
        }

        var roles = await PlanAccessAsync(c, ConnectionUsage.None, identities).ConfigureAwait(false);
        PlanConnectionShape(c, roles.Target, identities.Select(i => i.Enable));
    }

    internal static LogicAppAuthException NotSupported(AzureResourceId id, string apiName) =>
        new LogicAppAuthException("ManagedIdentityNotSupported", FailureKind.InvalidArgument,
            $"The {apiName} connector cannot sign in with a managed identity, so connection {id.Name} was not changed. Alternatives: " +
            $"(1) re-consent the connection with an active account: Get-LogicConnectorConsentLink -ResourceId '{id.Id}', then Complete-LogicConnectorConsent; " +
            "(2) sign in with a service principal (an app registration with a client secret or certificate), where the connector offers that; " +
            "(3) replace the connector's actions with the HTTP action authenticated by the logic app's managed identity against Microsoft Graph " +
            "(audience https://graph.microsoft.com, with the Graph application permissions the calls need).", id.Id);

    /// <summary>The $connections references of a workflow (as edited) that point at the connection, read by the one reader of references.</summary>
    private static IReadOnlyList<ConnectionReference> ReferencesTo(JsonNode workflow, string connectionId)
    {
        using var document = JsonDocumentOf(workflow);
        return ConnectionReferenceReader.ReadWorkflow(document.RootElement).Where(r => BackupFix.SameId(r.ConnectionId, connectionId)).ToList();
    }

    /// <summary>How a workflow's steps use the connection, through every $connections reference that points at it.</summary>
    private static ConnectionUsage UsageOf(JsonNode workflow, string connectionId)
    {
        using var document = JsonDocumentOf(workflow);
        var definition = Json.Path(document.RootElement, "properties", "definition") ?? default;
        return ConnectionReferenceReader.ReadWorkflow(document.RootElement)
            .Where(r => BackupFix.SameId(r.ConnectionId, connectionId))
            .Aggregate(ConnectionUsage.None, (usage, r) => usage | ConnectionReferenceReader.UsageOf(definition, r.ReferenceName));
    }

    private static List<string> References(JsonNode workflow, string connectionId) => ReferencesTo(workflow, connectionId).Select(r => r.ReferenceName).ToList();

    private static bool HasManagedIdentityAuthentication(JsonNode workflow, string reference, string userAssigned, string connectionId) =>
        ReferencesTo(workflow, connectionId).Any(r => r.ReferenceName == reference && r.UsesManagedIdentity
            && string.Equals(r.AuthenticationIdentity, userAssigned, StringComparison.OrdinalIgnoreCase));

    private static System.Text.Json.JsonDocument JsonDocumentOf(JsonNode node) => System.Text.Json.JsonDocument.Parse(JsonEdit.Serialize(node));
}
