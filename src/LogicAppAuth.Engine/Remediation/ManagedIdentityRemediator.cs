using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Diagnosis;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Remediation
{
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
    /// access policy for it, and, where the connector supports it, the managed-identity shape and the role.
    /// Planning only reads; every write is a <see cref="PlannedChange"/>.
    /// </summary>
    public sealed class ManagedIdentityRemediator
    {
        internal const string RoleApiVersion = "2022-04-01";
        internal const string VaultApiVersion = "2023-07-01";
        internal const string UserAssignedIdentityApiVersion = "2023-01-31";
        private const string ManagedServiceIdentity = "ManagedServiceIdentity";

        private readonly AzureSession session;
        private readonly BackupStore backups;
        private readonly ManagedIdentityOptions options;

        public ManagedIdentityRemediator(AzureSession session, BackupStore backups, ManagedIdentityOptions options)
        {
            this.session = session;
            this.backups = backups;
            this.options = options;
        }

        public async Task<RemediationPlan> PlanAsync(string connectionId, IOperationSink sink, CancellationToken cancellationToken)
        {
            var id = AzureResourceId.Parse(connectionId);
            if (!id.IsType(AzureResourceId.ConnectionType))
            {
                throw new LogicAppAuthException("NotAConnection", FailureKind.InvalidArgument,
                    $"'{id.Id}' is a {id.ResourceType}, not an API connection (Microsoft.Web/connections). Pipe connections from Get-LogicConnectorStatus or Test-LogicConnectorAuth.", id.Id);
            }

            var arm = session.Arm(sink);
            var connection = await ReadAsync(arm, id.Id, ApiVersions.Connections, cancellationToken).ConfigureAwait(false);
            var properties = JsonEdit.Get(connection, "properties");
            var apiName = JsonEdit.String(properties, "api", "name");
            var apiId = JsonEdit.String(properties, "api", "id");
            if (apiName.Length == 0)
            {
                apiName = apiId.Substring(apiId.LastIndexOf('/') + 1);
            }

            var location = JsonEdit.String(connection, "location");
            bool standard = string.Equals(JsonEdit.String(connection, "kind"), "V2", StringComparison.OrdinalIgnoreCase);
            var shape = await ShapeAsync(arm, id.SubscriptionId, location, apiName, cancellationToken).ConfigureAwait(false);
            if (shape.Style == ManagedIdentityStyle.NotSupported && !standard)
            {
                throw NotSupported(id, apiName);
            }

            var plan = new RemediationPlan(session, backups, id.Id, apiName, $"Restore-LogicAppAuthBackup -Path '{backups.Folder.Replace("'", "''")}'");
            plan.Remember(id.Id, connection);
            var parameters = ConnectionFacts.Read(JsonDocumentOf(connection).RootElement).Parameters;

            if (standard)
            {
                await PlanStandardAsync(plan, arm, id, connection, apiName, shape, parameters, sink, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PlanConsumptionAsync(plan, arm, id, connection, apiName, shape, parameters, sink, cancellationToken).ConfigureAwait(false);
            }

            return plan;
        }

        private async Task PlanConsumptionAsync(RemediationPlan plan, ArmRestClient arm, AzureResourceId id, JsonObject connection, string apiName, ConnectorShape shape,
            IReadOnlyDictionary<string, string> parameters, IOperationSink sink, CancellationToken cancellationToken)
        {
            var workflows = await WorkflowsUsingAsync(arm, id, cancellationToken).ConfigureAwait(false);
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
                plan.Remember(workflowId, workflow);
                foreach (var reference in References(workflow, id.Id))
                {
                    usage |= WorkflowUsage.Of(JsonEdit.Get(workflow, "properties", "definition"), reference);
                }

                var (enable, label) = PlanWorkflowIdentity(plan, workflow, workflowId, name);
                identities.Add((workflowId, name, enable, label));
            }

            var roles = await PlanAccessAsync(plan, arm, id, apiName, usage, parameters, identities, sink, cancellationToken).ConfigureAwait(false);
            var switchConnection = PlanConnectionShape(plan, id, connection, apiName, shape, parameters, roles.Target, identities.Select(i => i.Enable));

            foreach (var workflow in workflows)
            {
                var workflowId = JsonEdit.String(workflow, "id");
                var name = JsonEdit.String(workflow, "name");
                var holder = identities.First(i => string.Equals(i.HolderId, workflowId, StringComparison.OrdinalIgnoreCase));
                var desiredIdentity = UserAssignedFor(workflow);
                var references = References(workflow, id.Id).Where(r => !HasManagedIdentityAuthentication(workflow, r, desiredIdentity)).ToList();
                if (references.Count == 0)
                {
                    plan.AddInPlace(RemediationOperation.RewireWorkflow, workflowId, $"$connections of workflow {name} already authenticate connection {id.Name} with {ManagedServiceIdentity}");
                    continue;
                }

                var description = $"Set connectionProperties.authentication to {ManagedServiceIdentity}{(desiredIdentity.Length > 0 ? $" ({Last(desiredIdentity)})" : "")} " +
                    $"for $connections['{string.Join("', '", references)}'] of workflow {name} (PUT of the whole workflow, every other property kept)";
                plan.Add(new PlannedChange(RemediationOperation.RewireWorkflow, workflowId, "PUT", description, async context =>
                {
                    await context.WriteAsync(workflowId, AzureResourceId.WorkflowType, ApiVersions.Workflows, "PUT", fresh =>
                    {
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

        private async Task PlanStandardAsync(RemediationPlan plan, ArmRestClient arm, AzureResourceId id, JsonObject connection, string apiName, ConnectorShape shape,
            IReadOnlyDictionary<string, string> parameters, IOperationSink sink, CancellationToken cancellationToken)
        {
            var apps = await StandardAppsUsingAsync(arm, id, cancellationToken).ConfigureAwait(false);
            if (apps.Count == 0)
            {
                throw new LogicAppAuthException("ConnectionNotUsed", FailureKind.InvalidArgument,
                    $"No Standard logic app in subscription {id.SubscriptionId} names V2 connection '{id.Name}' in its connections.json, so there is no app identity to give access to it.", id.Id);
            }

            var policies = await AccessPolicyPrincipalsAsync(arm, id.Id, cancellationToken).ConfigureAwait(false);
            var identities = new List<(string HolderId, string HolderName, PlannedChange? Enable, string Label)>();
            foreach (var (site, entry) in apps)
            {
                var siteId = JsonEdit.String(site, "id");
                var name = JsonEdit.String(site, "name");
                plan.Remember(siteId, site);
                var (enable, label) = PlanSiteIdentity(plan, site, siteId, name);
                identities.Add((siteId, name, enable, label));

                var principal = plan.PrincipalOf(siteId);
                if (principal.Length > 0 && policies.Contains(principal))
                {
                    plan.AddInPlace(RemediationOperation.AddAccessPolicy, id.Id, $"Connection {id.Name} already has an access policy for {label} ({principal})", principal);
                }
                else
                {
                    var tenant = JsonEdit.String(site, "identity", "tenantId");
                    plan.Add(new PlannedChange(RemediationOperation.AddAccessPolicy, $"{id.Id}/accessPolicies/{(principal.Length > 0 ? principal : "<principal>")}", "PUT",
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
                            context.Plan.Backups.RecordCreated("AccessPolicy", policyId, ApiVersions.Connections, context.Change.Description);
                        }, new[] { enable }) { PrincipalId = principal });
                }

                var authentication = JsonEdit.String(entry, "authentication", "type");
                if (!string.Equals(authentication, ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase))
                {
                    sink.WriteWarning($"connections.json of Standard app {name} authenticates to connection {id.Name} with '{(authentication.Length == 0 ? "nothing" : authentication)}'. " +
                        $"Set its managedApiConnections entry's \"authentication\" to {{ \"type\": \"{ManagedServiceIdentity}\" }} and deploy the app; this module does not write connections.json.");
                }
            }

            if (shape.Style == ManagedIdentityStyle.NotSupported)
            {
                sink.WriteWarning($"The {apiName} connector cannot sign in to its service with a managed identity, so V2 connection {id.Name} keeps its own sign-in " +
                    "(only the app's access to the connection was set up). If that sign-in fails, re-consent it (Get-LogicConnectorConsentLink), use a service principal, " +
                    "or call the service with the HTTP action and the app's managed identity.");
                return;
            }

            if (shape.IsManagedIdentity(connection) || (!RoleTable.Covers(apiName) && options.Roles.Count == 0))
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
                    await PlanAccessAsync(plan, arm, id, apiName, ConnectionUsage.None, parameters, identities, sink, cancellationToken).ConfigureAwait(false);
                    plan.AddInPlace(RemediationOperation.SetConnectionAuthentication, id.Id, $"Connection {id.Name} already signs in with the logic app's managed identity");
                }

                return;
            }

            var roles = await PlanAccessAsync(plan, arm, id, apiName, ConnectionUsage.None, parameters, identities, sink, cancellationToken).ConfigureAwait(false);
            PlanConnectionShape(plan, id, connection, apiName, shape, parameters, roles.Target, identities.Select(i => i.Enable));
        }

        /// <summary>The identity a Consumption workflow will use: its own (system or the one user-assigned), or a PATCH that enables it.</summary>
        private (PlannedChange? Enable, string Label) PlanWorkflowIdentity(RemediationPlan plan, JsonObject workflow, string workflowId, string name)
        {
            var type = JsonEdit.String(workflow, "identity", "type");
            var userAssigned = JsonEdit.Get(workflow, "identity", "userAssignedIdentities") as JsonObject;
            var wanted = options.UserAssignedIdentityId;
            if (wanted.Length > 0)
            {
                var label = $"user-assigned identity {Last(wanted)} of workflow {name}";
                var existing = userAssigned?.FirstOrDefault(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase));
                if (existing?.Key != null)
                {
                    plan.SetPrincipal(workflowId, JsonEdit.String(existing.Value.Value, "principalId"));
                    plan.AddInPlace(RemediationOperation.EnableIdentity, workflowId, $"Workflow {name} already has user-assigned identity {Last(wanted)}", plan.PrincipalOf(workflowId));
                    return (null, label);
                }

                if (type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw new LogicAppAuthException("IdentityConflict", FailureKind.InvalidArgument,
                        $"Workflow {name} has a system-assigned identity, and a Consumption workflow can have either that or one user-assigned identity, not both. " +
                        "Run without -UserAssignedIdentityId to use the system-assigned identity, or remove it from the workflow first.", workflowId);
                }

                var change = new PlannedChange(RemediationOperation.EnableIdentity, workflowId, "PATCH", $"Attach user-assigned identity {Last(wanted)} to workflow {name} (PATCH identity)",
                    async context =>
                    {
                        var after = await context.WriteAsync(workflowId, AzureResourceId.WorkflowType, ApiVersions.Workflows, "PATCH", _ => new JsonObject
                        {
                            ["identity"] = new JsonObject { ["type"] = "UserAssigned", ["userAssignedIdentities"] = new JsonObject { [wanted] = new JsonObject() } },
                        }).ConfigureAwait(false);
                        var principal = (JsonEdit.Get(after, "identity", "userAssignedIdentities") as JsonObject)?
                            .Where(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase)).Select(p => JsonEdit.String(p.Value, "principalId")).FirstOrDefault() ?? "";
                        if (principal.Length == 0)
                        {
                            using var identity = await context.Arm.GetAsync($"{wanted}?api-version={UserAssignedIdentityApiVersion}", wanted, context.CancellationToken).ConfigureAwait(false);
                            principal = JsonEdit.String(JsonEdit.ToObject(identity), "properties", "principalId");
                        }

                        context.Plan.SetPrincipal(workflowId, principal);
                        context.Change.PrincipalId = principal;
                    });
                plan.Add(change);
                return (change, label);
            }

            if (type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                plan.SetPrincipal(workflowId, JsonEdit.String(workflow, "identity", "principalId"));
                plan.AddInPlace(RemediationOperation.EnableIdentity, workflowId, $"Workflow {name} already has a system-assigned identity", plan.PrincipalOf(workflowId));
                return (null, $"the system-assigned identity of workflow {name}");
            }

            if (userAssigned != null && userAssigned.Count == 1)
            {
                var only = userAssigned.First();
                plan.SetPrincipal(workflowId, JsonEdit.String(only.Value, "principalId"));
                plan.AddInPlace(RemediationOperation.EnableIdentity, workflowId, $"Workflow {name} already has user-assigned identity {Last(only.Key)}, which is used", plan.PrincipalOf(workflowId));
                return (null, $"user-assigned identity {Last(only.Key)} of workflow {name}");
            }

            var enable = new PlannedChange(RemediationOperation.EnableIdentity, workflowId, "PATCH", $"Enable the system-assigned managed identity of workflow {name} (PATCH identity)",
                async context =>
                {
                    var after = await context.WriteAsync(workflowId, AzureResourceId.WorkflowType, ApiVersions.Workflows, "PATCH",
                        _ => new JsonObject { ["identity"] = new JsonObject { ["type"] = "SystemAssigned" } }).ConfigureAwait(false);
                    var principal = JsonEdit.String(after, "identity", "principalId");
                    if (principal.Length == 0)
                    {
                        throw new LogicAppAuthException("IdentityNotAssigned", FailureKind.ResourceUnavailable,
                            $"Workflow {name} accepted the identity but returned no principalId yet; run the command again in a minute.", workflowId);
                    }

                    context.Plan.SetPrincipal(workflowId, principal);
                    context.Change.PrincipalId = principal;
                });
            plan.Add(enable);
            return (enable, $"the system-assigned identity of workflow {name}");
        }

        /// <summary>A Standard app's identity: the system-assigned one (enabled by PATCH when missing), or the user-assigned one named.</summary>
        private (PlannedChange? Enable, string Label) PlanSiteIdentity(RemediationPlan plan, JsonObject site, string siteId, string name)
        {
            var type = JsonEdit.String(site, "identity", "type");
            var userAssigned = JsonEdit.Get(site, "identity", "userAssignedIdentities") as JsonObject;
            var wanted = options.UserAssignedIdentityId;
            bool hasSystem = type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0;
            plan.SetPrincipal(siteId + "|tenant", JsonEdit.String(site, "identity", "tenantId"));
            if (wanted.Length > 0)
            {
                var existing = userAssigned?.FirstOrDefault(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase));
                var label = $"user-assigned identity {Last(wanted)} of Standard app {name}";
                if (existing?.Key != null)
                {
                    plan.SetPrincipal(siteId, JsonEdit.String(existing.Value.Value, "principalId"));
                    plan.AddInPlace(RemediationOperation.EnableIdentity, siteId, $"Standard app {name} already has user-assigned identity {Last(wanted)}", plan.PrincipalOf(siteId));
                    return (null, label);
                }

                var change = new PlannedChange(RemediationOperation.EnableIdentity, siteId, "PATCH", $"Attach user-assigned identity {Last(wanted)} to Standard app {name} (PATCH identity)",
                    async context =>
                    {
                        var after = await context.WriteAsync(siteId, AzureResourceId.SiteType, ApiVersions.Sites, "PATCH", fresh =>
                        {
                            var identities = new JsonObject();
                            foreach (var key in (JsonEdit.Get(fresh, "identity", "userAssignedIdentities") as JsonObject)?.Select(p => p.Key) ?? Enumerable.Empty<string>())
                            {
                                identities[key] = new JsonObject();
                            }

                            identities[wanted] = new JsonObject();
                            var system = JsonEdit.String(fresh, "identity", "type").IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0;
                            return new JsonObject { ["identity"] = new JsonObject { ["type"] = system ? "SystemAssigned, UserAssigned" : "UserAssigned", ["userAssignedIdentities"] = identities } };
                        }).ConfigureAwait(false);
                        var principal = (JsonEdit.Get(after, "identity", "userAssignedIdentities") as JsonObject)?
                            .Where(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase)).Select(p => JsonEdit.String(p.Value, "principalId")).FirstOrDefault() ?? "";
                        context.Plan.SetPrincipal(siteId, principal);
                        context.Change.PrincipalId = principal;
                    });
                plan.Add(change);
                return (change, label);
            }

            if (hasSystem)
            {
                plan.SetPrincipal(siteId, JsonEdit.String(site, "identity", "principalId"));
                plan.AddInPlace(RemediationOperation.EnableIdentity, siteId, $"Standard app {name} already has a system-assigned identity", plan.PrincipalOf(siteId));
                return (null, $"the system-assigned identity of Standard app {name}");
            }

            var enable = new PlannedChange(RemediationOperation.EnableIdentity, siteId, "PATCH", $"Enable the system-assigned managed identity of Standard app {name} (PATCH identity)",
                async context =>
                {
                    var after = await context.WriteAsync(siteId, AzureResourceId.SiteType, ApiVersions.Sites, "PATCH", fresh =>
                    {
                        var identity = new JsonObject();
                        if (JsonEdit.Get(fresh, "identity", "userAssignedIdentities") is JsonObject existing && existing.Count > 0)
                        {
                            identity["type"] = "SystemAssigned, UserAssigned";
                            identity["userAssignedIdentities"] = new JsonObject(existing.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, new JsonObject())));
                        }
                        else
                        {
                            identity["type"] = "SystemAssigned";
                        }

                        return new JsonObject { ["identity"] = identity };
                    }).ConfigureAwait(false);
                    var principal = JsonEdit.String(after, "identity", "principalId");
                    context.Plan.SetPrincipal(siteId, principal);
                    context.Plan.SetPrincipal(siteId + "|tenant", JsonEdit.String(after, "identity", "tenantId"));
                    context.Change.PrincipalId = principal;
                });
            plan.Add(enable);
            return (enable, $"the system-assigned identity of Standard app {name}");
        }

        /// <summary>The connection in the connector's managed-identity shape (PUT of the connection, other properties kept), unless it already is.</summary>
        private PlannedChange? PlanConnectionShape(RemediationPlan plan, AzureResourceId id, JsonObject connection, string apiName, ConnectorShape shape,
            IReadOnlyDictionary<string, string> parameters, JsonObject? target, IEnumerable<PlannedChange?> dependsOn)
        {
            if (shape.IsManagedIdentity(connection))
            {
                plan.AddInPlace(RemediationOperation.SetConnectionAuthentication, id.Id, $"Connection {id.Name} already signs in with the logic app's managed identity");
                return null;
            }

            var values = new JsonObject();
            var missing = new List<string>();
            foreach (var parameter in shape.Parameters)
            {
                var value = parameters.FirstOrDefault(p => string.Equals(p.Key, parameter, StringComparison.OrdinalIgnoreCase)).Value ?? DeriveParameter(parameter, target);
                if (string.IsNullOrEmpty(value))
                {
                    missing.Add(parameter);
                }
                else
                {
                    values[parameter] = new JsonObject { ["value"] = value };
                }
            }

            if (missing.Count > 0)
            {
                throw new LogicAppAuthException("ConnectionParameterMissing", FailureKind.InvalidArgument,
                    $"The {apiName} connector's managed-identity sign-in needs {string.Join(", ", missing)}, which connection {id.Name} does not carry. " +
                    "Name the target resource with -TargetResourceId so it can be derived.", id.Id);
            }

            var description = shape.Style == ManagedIdentityStyle.ParameterValueSet
                ? $"Switch connection {id.Name} to the {apiName} connector's managed-identity sign-in (parameterValueSet '{shape.SetName}'{(values.Count > 0 ? " with " + string.Join(", ", values.Select(v => v.Key)) : "")}; PUT, other properties kept)"
                : $"Switch connection {id.Name} to the {apiName} connector's managed-identity sign-in (parameterValueType 'Alternative'; PUT, other properties kept)";
            var change = new PlannedChange(RemediationOperation.SetConnectionAuthentication, id.Id, "PUT", description, async context =>
            {
                await context.WriteAsync(id.Id, AzureResourceId.ConnectionType, ApiVersions.Connections, "PUT", fresh =>
                {
                    var properties = JsonEdit.Child(fresh, "properties");
                    foreach (var stale in new[] { "statuses", "overallStatus", "authenticatedUser", "testLinks", "testRequests" })
                    {
                        JsonEdit.Remove(properties, stale);
                    }

                    foreach (var bag in new[] { "parameterValues", "nonSecretParameterValues" })
                    {
                        if (JsonEdit.Get(properties, bag) is JsonObject bagValues)
                        {
                            foreach (var key in bagValues.Select(p => p.Key).Where(k => k.StartsWith("token:", StringComparison.OrdinalIgnoreCase)).ToList())
                            {
                                bagValues.Remove(key);
                            }
                        }
                    }

                    if (shape.Style == ManagedIdentityStyle.ParameterValueSet)
                    {
                        JsonEdit.Remove(properties, "parameterValueType");
                        JsonEdit.Remove(properties, "alternativeParameterValues");
                        properties[JsonEdit.KeyOf(properties, "parameterValueSet")] = new JsonObject { ["name"] = shape.SetName, ["values"] = values.DeepClone() };
                    }
                    else
                    {
                        JsonEdit.Remove(properties, "parameterValueSet");
                        properties[JsonEdit.KeyOf(properties, "parameterValueType")] = "Alternative";
                        if (!(JsonEdit.Get(properties, "alternativeParameterValues") is JsonObject))
                        {
                            properties["alternativeParameterValues"] = new JsonObject();
                        }
                    }

                    return fresh;
                }).ConfigureAwait(false);
            }, dependsOn.Where(d => d != null).Cast<PlannedChange>());
            plan.Add(change);
            return change;
        }

        /// <summary>The roles (or Key Vault access policy) each identity needs on the target resource; returns the target.</summary>
        private async Task<(JsonObject? Target, int Count)> PlanAccessAsync(RemediationPlan plan, ArmRestClient arm, AzureResourceId id, string apiName, ConnectionUsage usage,
            IReadOnlyDictionary<string, string> parameters, IReadOnlyList<(string HolderId, string HolderName, PlannedChange? Enable, string Label)> identities,
            IOperationSink sink, CancellationToken cancellationToken)
        {
            var roles = options.Roles.Count > 0 ? options.Roles.Select(RoleTable.Resolve).ToList() : RoleTable.For(apiName, usage).ToList();
            var requirement = ConnectorRequirements.For(apiName);
            if (roles.Count == 0)
            {
                sink.WriteWarning($"No built-in role is known for the {apiName} connector: give the logic app's managed identity access to the service yourself " +
                    "(or name a role with -Role and the resource with -TargetResourceId).");
                return (null, 0);
            }

            var target = await TargetAsync(arm, id, apiName, requirement, parameters, cancellationToken).ConfigureAwait(false);
            var targetId = JsonEdit.String(target, "id");
            var targetName = JsonEdit.String(target, "name");
            var targetSubscription = AzureResourceId.SubscriptionOf(targetId);
            bool vaultPolicies = options.Roles.Count == 0 && string.Equals(JsonEdit.String(target, "type"), "Microsoft.KeyVault/vaults", StringComparison.OrdinalIgnoreCase)
                && JsonEdit.Get(target, "properties", "enableRbacAuthorization") is JsonValue rbac && rbac.TryGetValue<bool>(out var usesRbac) && !usesRbac;

            foreach (var (holderId, _, enable, label) in identities)
            {
                var principal = plan.PrincipalOf(holderId);
                if (vaultPolicies)
                {
                    PlanVaultAccessPolicy(plan, target!, targetId, targetName, holderId, principal, label, enable);
                    continue;
                }

                var held = principal.Length == 0 ? new List<(string Scope, string RoleId)>() : await AssignmentsAsync(arm, targetId, principal, cancellationToken).ConfigureAwait(false);
                foreach (var role in roles)
                {
                    if (held.Any(h => h.RoleId.EndsWith(role.Id, StringComparison.OrdinalIgnoreCase) && RoleMatcher.ScopeCovers(h.Scope, targetId)))
                    {
                        var scope = held.First(h => h.RoleId.EndsWith(role.Id, StringComparison.OrdinalIgnoreCase) && RoleMatcher.ScopeCovers(h.Scope, targetId)).Scope;
                        plan.AddInPlace(RemediationOperation.AssignRole, targetId, $"{label} already holds {role.Name} at {scope}", principal, role.Name, scope);
                        continue;
                    }

                    var pendingName = principal.Length > 0 ? DeterministicGuid.ForRoleAssignment(targetId, principal, role.Id).ToString("D") : "<guid>";
                    var change = new PlannedChange(RemediationOperation.AssignRole, $"{targetId}/providers/Microsoft.Authorization/roleAssignments/{pendingName}", "PUT",
                        $"Grant {role.Name} on {targetName} to {label}", async context =>
                        {
                            var objectId = context.Plan.PrincipalOf(holderId);
                            var assignmentId = $"{targetId}/providers/Microsoft.Authorization/roleAssignments/{DeterministicGuid.ForRoleAssignment(targetId, objectId, role.Id):D}";
                            context.Change.PrincipalId = objectId;
                            context.Change.TargetResourceId = assignmentId;
                            var body = new JsonObject
                            {
                                ["properties"] = new JsonObject
                                {
                                    ["roleDefinitionId"] = role.DefinitionId(targetSubscription),
                                    ["principalId"] = objectId,
                                    ["principalType"] = "ServicePrincipal",
                                },
                            };
                            try
                            {
                                using (await context.Arm.PutAsync($"{assignmentId}?api-version={RoleApiVersion}", JsonEdit.Serialize(body), assignmentId, context.CancellationToken).ConfigureAwait(false))
                                {
                                }

                                context.Plan.Backups.RecordCreated("RoleAssignment", assignmentId, RoleApiVersion, context.Change.Description,
                                    new JsonObject { ["scope"] = targetId, ["roleName"] = role.Name, ["principalId"] = objectId });
                            }
                            catch (LogicAppAuthException e) when (e.HttpStatus == 409 && e.ErrorId == "RoleAssignmentExists")
                            {
                                context.Change.Status = RemediationStatus.AlreadyInPlace;
                            }
                        }, new[] { enable }) { PrincipalId = principal, RoleName = role.Name, Scope = targetId };
                    plan.Add(change);
                }
            }

            return (target, roles.Count);
        }

        private static void PlanVaultAccessPolicy(RemediationPlan plan, JsonObject vault, string vaultId, string vaultName, string holderId, string principal, string label, PlannedChange? enable)
        {
            var has = (JsonEdit.Get(vault, "properties", "accessPolicies") as JsonArray)?.OfType<JsonObject>().Any(p =>
                string.Equals(JsonEdit.String(p, "objectId"), principal, StringComparison.OrdinalIgnoreCase)
                && JsonEdit.Get(p, "permissions", "secrets") is JsonArray secrets
                && secrets.Select(s => s?.ToString() ?? "").Any(s => string.Equals(s, "get", StringComparison.OrdinalIgnoreCase) || string.Equals(s, "all", StringComparison.OrdinalIgnoreCase))) ?? false;
            if (principal.Length > 0 && has)
            {
                plan.AddInPlace(RemediationOperation.AddVaultAccessPolicy, vaultId, $"Key vault {vaultName} already has an access policy with secret get for {label}", principal);
                return;
            }

            var tenant = JsonEdit.String(vault, "properties", "tenantId");
            plan.Add(new PlannedChange(RemediationOperation.AddVaultAccessPolicy, $"{vaultId}/accessPolicies/add", "PUT",
                $"Add a Key Vault access policy (secrets: get, list) for {label} to key vault {vaultName} (it uses access policies, not RBAC)", async context =>
                {
                    var objectId = context.Plan.PrincipalOf(holderId);
                    context.Change.PrincipalId = objectId;
                    var policy = new JsonObject
                    {
                        ["tenantId"] = tenant,
                        ["objectId"] = objectId,
                        ["permissions"] = new JsonObject { ["secrets"] = new JsonArray("get", "list") },
                    };
                    var body = new JsonObject { ["properties"] = new JsonObject { ["accessPolicies"] = new JsonArray(policy.DeepClone()) } };
                    var url = $"{vaultId}/accessPolicies/add?api-version={VaultApiVersion}";
                    using (await context.Arm.PutAsync(url, JsonEdit.Serialize(body), vaultId, context.CancellationToken).ConfigureAwait(false))
                    {
                    }

                    context.Plan.Backups.RecordCreated("VaultAccessPolicy", vaultId, VaultApiVersion, context.Change.Description, new JsonObject { ["policy"] = policy });
                }, new[] { enable }) { PrincipalId = principal, Scope = vaultId });
        }

        /// <summary>The resource to grant on: -TargetResourceId, or the resource the connection's parameters name (its group first, then the subscription).</summary>
        private async Task<JsonObject> TargetAsync(ArmRestClient arm, AzureResourceId id, string apiName, ConnectorRequirement? requirement,
            IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
        {
            if (options.TargetResourceId.Length > 0)
            {
                var target = AzureResourceId.Parse(options.TargetResourceId);
                var version = requirement != null && target.IsType(requirement.ResourceType) ? requirement.ListApiVersion : VersionFor(target.ResourceType);
                try
                {
                    return await ReadAsync(arm, target.Id, version, cancellationToken).ConfigureAwait(false);
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 404)
                {
                    throw new LogicAppAuthException("TargetResourceNotFound", FailureKind.ObjectNotFound,
                        $"The target resource '{target.Id}' given with -TargetResourceId does not exist; nothing was changed.", target.Id, e);
                }
            }

            var parameter = requirement?.TargetParameters.FirstOrDefault(p => parameters.ContainsKey(p));
            var name = parameter == null ? "" : ConnectorRequirements.ResourceNameFrom(parameters[parameter]);
            if (requirement == null || name.Length == 0)
            {
                throw new LogicAppAuthException("TargetResourceUnknown", FailureKind.InvalidArgument,
                    $"Connection {id.Name} does not name the {apiName} resource it uses, so the role cannot be granted at that resource; nothing was changed. " +
                    $"Name it with -TargetResourceId (e.g. the {requirement?.ResourceType ?? "target"} resource id).", id.Id);
            }

            try
            {
                return await ReadAsync(arm, $"{AzureResourceId.ResourceGroup(id.SubscriptionId, id.ResourceGroupName)}/providers/{requirement.ResourceType}/{name}",
                    requirement.ListApiVersion, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
            }

            JsonObject? found = null;
            await arm.ListAsync($"/subscriptions/{id.SubscriptionId}/providers/{requirement.ResourceType}?api-version={requirement.ListApiVersion}", item =>
            {
                if (found == null && string.Equals(Arm.Json.String(item, "name"), name, StringComparison.OrdinalIgnoreCase))
                {
                    found = JsonEdit.ParseObject(item.GetRawText());
                }
            }, "/subscriptions/" + id.SubscriptionId, cancellationToken).ConfigureAwait(false);
            return found ?? throw new LogicAppAuthException("TargetResourceNotFound", FailureKind.ObjectNotFound,
                $"Connection {id.Name} names {requirement.ResourceType} '{name}', which is not in subscription {id.SubscriptionId}; nothing was changed. " +
                "Name the resource with -TargetResourceId.", id.Id);
        }

        private static async Task<List<(string Scope, string RoleId)>> AssignmentsAsync(ArmRestClient arm, string scope, string principalId, CancellationToken cancellationToken)
        {
            var found = new List<(string, string)>();
            var filter = Uri.EscapeDataString($"principalId eq '{principalId}'");
            await arm.ListAsync($"{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={RoleApiVersion}&$filter={filter}", a =>
            {
                if (string.Equals(Arm.Json.String(a, "properties", "principalId"), principalId, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add((Arm.Json.String(a, "properties", "scope"), Arm.Json.String(a, "properties", "roleDefinitionId")));
                }
            }, scope, cancellationToken).ConfigureAwait(false);
            return found;
        }

        private static async Task<HashSet<string>> AccessPolicyPrincipalsAsync(ArmRestClient arm, string connectionId, CancellationToken cancellationToken)
        {
            var principals = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            try
            {
                await arm.ListAsync($"{connectionId}/accessPolicies?api-version={ApiVersions.Connections}",
                    p => principals.Add(Arm.Json.String(p, "properties", "principal", "identity", "objectId")), connectionId, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
            }

            return principals;
        }

        /// <summary>Consumption workflows in the connection's subscription whose $connections name it, read fresh through ARM.</summary>
        private static async Task<List<JsonObject>> WorkflowsUsingAsync(ArmRestClient arm, AzureResourceId connection, CancellationToken cancellationToken)
        {
            var ids = new List<string>();
            await arm.ListAsync($"/subscriptions/{connection.SubscriptionId}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}", row =>
            {
                if (WorkflowReferences.Read(row).Any(r => string.Equals(r.ConnectionId, connection.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    ids.Add(Arm.Json.String(row, "id"));
                }
            }, "/subscriptions/" + connection.SubscriptionId, cancellationToken).ConfigureAwait(false);
            var workflows = new List<JsonObject>();
            foreach (var workflowId in ids.OrderBy(i => i, StringComparer.OrdinalIgnoreCase))
            {
                workflows.Add(await ReadAsync(arm, workflowId, ApiVersions.Workflows, cancellationToken).ConfigureAwait(false));
            }

            return workflows;
        }

        /// <summary>Standard apps in the subscription whose connections.json names the connection, with that entry.</summary>
        private static async Task<List<(JsonObject Site, JsonNode? Entry)>> StandardAppsUsingAsync(ArmRestClient arm, AzureResourceId connection, CancellationToken cancellationToken)
        {
            var sites = new List<string>();
            await arm.ListAsync($"/subscriptions/{connection.SubscriptionId}/providers/Microsoft.Web/sites?api-version={ApiVersions.Sites}", row =>
            {
                if (StandardAppReferences.IsStandardApp(row))
                {
                    sites.Add(Arm.Json.String(row, "id"));
                }
            }, "/subscriptions/" + connection.SubscriptionId, cancellationToken).ConfigureAwait(false);
            var result = new List<(JsonObject, JsonNode?)>();
            foreach (var siteId in sites.OrderBy(s => s, StringComparer.OrdinalIgnoreCase))
            {
                using var response = await arm.PostAsync($"{siteId}/listWorkflowsConnections?api-version={StandardAppReferences.ApiVersion}", null, siteId, cancellationToken).ConfigureAwait(false);
                var file = JsonEdit.Get(JsonEdit.ToObject(response), "properties", "files", "connections.json");
                if (file is JsonValue text && text.TryGetValue<string>(out var raw))
                {
                    file = JsonNode.Parse(raw);
                }

                var entry = (JsonEdit.Get(file, "managedApiConnections") as JsonObject)?
                    .FirstOrDefault(p => string.Equals(JsonEdit.String(p.Value, "connection", "id"), connection.Id, StringComparison.OrdinalIgnoreCase)).Value;
                if (entry != null)
                {
                    result.Add((await ReadAsync(arm, siteId, ApiVersions.Sites, cancellationToken).ConfigureAwait(false), entry));
                }
            }

            return result;
        }

        private static async Task<ConnectorShape> ShapeAsync(ArmRestClient arm, string subscriptionId, string location, string apiName, CancellationToken cancellationToken)
        {
            var path = $"/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis/{apiName}";
            try
            {
                using var document = await arm.GetAsync($"{path}?api-version={ApiVersions.Connections}", path, cancellationToken).ConfigureAwait(false);
                return ConnectorShape.Read(JsonEdit.ToObject(document));
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
                return ConnectorShape.Read(null);
            }
        }

        internal static LogicAppAuthException NotSupported(AzureResourceId id, string apiName) =>
            new LogicAppAuthException("ManagedIdentityNotSupported", FailureKind.InvalidArgument,
                $"The {apiName} connector cannot sign in with a managed identity, so connection {id.Name} was not changed. Alternatives: " +
                $"(1) re-consent the connection with an active account: Get-LogicConnectorConsentLink -ResourceId '{id.Id}', then Complete-LogicConnectorConsent; " +
                "(2) sign in with a service principal (an app registration with a client secret or certificate), where the connector offers that; " +
                "(3) replace the connector's actions with the HTTP action authenticated by the logic app's managed identity against Microsoft Graph " +
                "(audience https://graph.microsoft.com, with the Graph application permissions the calls need).", id.Id);

        private static async Task<JsonObject> ReadAsync(ArmRestClient arm, string resourceId, string apiVersion, CancellationToken cancellationToken)
        {
            using var document = await arm.GetAsync($"{resourceId}?api-version={apiVersion}", resourceId, cancellationToken).ConfigureAwait(false);
            return JsonEdit.ToObject(document);
        }

        /// <summary>The $connections entries (reference names) of a workflow that point at the connection.</summary>
        private static List<string> References(JsonNode workflow, string connectionId) =>
            (JsonEdit.Get(workflow, "properties", "parameters", "$connections", "value") as JsonObject)?
                .Where(p => string.Equals(JsonEdit.String(p.Value, "connectionId"), connectionId, StringComparison.OrdinalIgnoreCase))
                .Select(p => p.Key).ToList() ?? new List<string>();

        private static bool HasManagedIdentityAuthentication(JsonNode workflow, string reference, string userAssigned)
        {
            var authentication = JsonEdit.Get(workflow, "properties", "parameters", "$connections", "value", reference, "connectionProperties", "authentication");
            return string.Equals(JsonEdit.String(authentication, "type"), ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase)
                && string.Equals(JsonEdit.String(authentication, "identity"), userAssigned, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The user-assigned identity a workflow authenticates with: the one named, or its only one; "" for the system-assigned identity.</summary>
        private string UserAssignedFor(JsonNode workflow)
        {
            if (options.UserAssignedIdentityId.Length > 0)
            {
                return options.UserAssignedIdentityId;
            }

            var type = JsonEdit.String(workflow, "identity", "type");
            var userAssigned = JsonEdit.Get(workflow, "identity", "userAssignedIdentities") as JsonObject;
            return type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) < 0 && userAssigned != null && userAssigned.Count == 1 ? userAssigned.First().Key : "";
        }

        /// <summary>On a PUT, the identity block carries only what can be written (type and the user-assigned identities' ids).</summary>
        private static void WritableIdentity(JsonObject document)
        {
            if (!(JsonEdit.Get(document, "identity") is JsonObject identity))
            {
                return;
            }

            var writable = new JsonObject { ["type"] = JsonEdit.String(identity, "type") };
            if (JsonEdit.Get(identity, "userAssignedIdentities") is JsonObject userAssigned && userAssigned.Count > 0)
            {
                writable["userAssignedIdentities"] = new JsonObject(userAssigned.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, new JsonObject())));
            }

            document[JsonEdit.KeyOf(document, "identity")] = writable;
        }

        private static string DeriveParameter(string parameter, JsonObject? target)
        {
            var name = JsonEdit.String(target, "name");
            if (name.Length == 0)
            {
                return "";
            }

            switch (parameter.ToLowerInvariant())
            {
                case "accountname":
                case "storageaccountname":
                case "storageaccount":
                case "vaultname":
                case "namespacename":
                    return name;
                case "namespaceendpoint":
                    return $"sb://{name}.servicebus.windows.net/";
                default:
                    return "";
            }
        }

        private static string VersionFor(string resourceType)
        {
            switch (resourceType.ToLowerInvariant())
            {
                case "microsoft.servicebus/namespaces": return "2021-11-01";
                case "microsoft.eventhub/namespaces": return "2024-01-01";
                case "microsoft.storage/storageaccounts": return "2023-01-01";
                case "microsoft.keyvault/vaults": return VaultApiVersion;
                default: return "2021-04-01";
            }
        }

        private static System.Text.Json.JsonDocument JsonDocumentOf(JsonNode node) => System.Text.Json.JsonDocument.Parse(JsonEdit.Serialize(node));

        private static string Last(string resourceId) => resourceId.TrimEnd('/').Substring(resourceId.TrimEnd('/').LastIndexOf('/') + 1);
    }
}
