using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>Planning the identity each logic app uses: enabling it where missing.</summary>
public sealed partial class ManagedIdentityRemediator
{
    /// <summary>The identity a Consumption workflow will use: its own (system or the one user-assigned), or a PATCH that enables it.</summary>
    private (PlannedChange? Enable, string Label) PlanWorkflowIdentity(RemediationPlan plan, JsonObject workflow, string workflowId, string name)
    {
        var type = JsonEdit.String(workflow, "identity", "type");
        var userAssigned = JsonEdit.Get(workflow, "identity", "userAssignedIdentities") as JsonObject;
        var wanted = _options.UserAssignedIdentityId;
        if (wanted.Length > 0)
        {
            var label = $"user-assigned identity {wanted} of workflow {name}";
            var existing = userAssigned?.FirstOrDefault(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase));
            if (existing?.Key != null)
            {
                plan.SetPrincipal(workflowId, JsonEdit.String(existing.Value.Value, "principalId"));
                plan.AddInPlace(RemediationOperation.EnableIdentity, workflowId, $"Workflow {name} already has user-assigned identity {AzureResourceId.LastSegment(wanted)}", plan.PrincipalOf(workflowId));
                return (null, label);
            }

            if (type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new LogicAppAuthException("IdentityConflict", FailureKind.InvalidArgument,
                    $"Workflow {name} has a system-assigned identity, and a Consumption workflow can have either that or one user-assigned identity, not both. " +
                    "Run without -UserAssignedIdentityId to use the system-assigned identity, or remove it from the workflow first.", workflowId);
            }

            var change = new PlannedChange(RemediationOperation.EnableIdentity, workflowId, "PATCH", $"Attach user-assigned identity {wanted} to workflow {workflowId} (PATCH identity)",
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
                        using var identity = await context.Arm.GetAsync($"{wanted}?api-version={ApiVersions.UserAssignedIdentities}", wanted, context.CancellationToken).ConfigureAwait(false);
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
            plan.AddInPlace(RemediationOperation.EnableIdentity, workflowId, $"Workflow {name} already has user-assigned identity {AzureResourceId.LastSegment(only.Key)}, which is used", plan.PrincipalOf(workflowId));
            return (null, $"user-assigned identity {only.Key} of workflow {name}");
        }

        var enable = new PlannedChange(RemediationOperation.EnableIdentity, workflowId, "PATCH", $"Enable the system-assigned managed identity of workflow {name} (PATCH identity)",
            async context =>
            {
                var after = await context.WriteAsync(workflowId, AzureResourceId.WorkflowType, ApiVersions.Workflows, "PATCH",
                    _ => new JsonObject { ["identity"] = new JsonObject { ["type"] = "SystemAssigned" } }).ConfigureAwait(false);
                var principal = RequirePrincipal(JsonEdit.String(after, "identity", "principalId"), $"Workflow {name}", workflowId);
                context.Plan.SetPrincipal(workflowId, principal);
                context.Change.PrincipalId = principal;
            });
        plan.Add(enable);
        return (enable, $"the system-assigned identity of workflow {name}");
    }

    /// <summary>A Standard app's identity: the system-assigned one (enabled by PATCH when missing), or the user-assigned one <paramref name="wanted"/> names.</summary>
    private (PlannedChange? Enable, string Label) PlanSiteIdentity(RemediationPlan plan, JsonObject site, string siteId, string name, string wanted)
    {
        var type = JsonEdit.String(site, "identity", "type");
        var userAssigned = JsonEdit.Get(site, "identity", "userAssignedIdentities") as JsonObject;
        bool hasSystem = type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0;
        plan.SetPrincipal(siteId + "|tenant", JsonEdit.String(site, "identity", "tenantId"));
        if (wanted.Length > 0)
        {
            var existing = userAssigned?.FirstOrDefault(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase));
            var label = $"user-assigned identity {wanted} of Standard app {name}";
            if (existing?.Key != null)
            {
                plan.SetPrincipal(siteId, JsonEdit.String(existing.Value.Value, "principalId"));
                plan.AddInPlace(RemediationOperation.EnableIdentity, siteId, $"Standard app {name} already has user-assigned identity {AzureResourceId.LastSegment(wanted)}", plan.PrincipalOf(siteId));
                return (null, label);
            }

            var change = new PlannedChange(RemediationOperation.EnableIdentity, siteId, "PATCH", $"Attach user-assigned identity {wanted} to Standard app {siteId} (PATCH identity)",
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
                    var principal = RequirePrincipal((JsonEdit.Get(after, "identity", "userAssignedIdentities") as JsonObject)?
                        .Where(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase)).Select(p => JsonEdit.String(p.Value, "principalId")).FirstOrDefault() ?? "",
                        $"Standard app {siteId}", siteId);
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
                var principal = RequirePrincipal(JsonEdit.String(after, "identity", "principalId"), $"Standard app {name}", siteId);
                context.Plan.SetPrincipal(siteId, principal);
                context.Plan.SetPrincipal(siteId + "|tenant", JsonEdit.String(after, "identity", "tenantId"));
                context.Change.PrincipalId = principal;
            });
        plan.Add(enable);
        return (enable, $"the system-assigned identity of Standard app {name}");
    }

    /// <summary>The principal id a write left on the resource. Empty means the service has not finished enabling the identity:
    /// the fix stops there rather than grant a role or access policy to nobody.</summary>
    private static string RequirePrincipal(string principal, string holder, string resourceId) =>
        principal.Length > 0
            ? principal
            : throw new LogicAppAuthException("IdentityNotAssigned", FailureKind.ResourceUnavailable,
                $"{holder} accepted the identity but shows no principalId yet, so nothing was granted to it; run the command again in a minute " +
                "(it goes on from what is already done).", resourceId);

    /// <summary>The user-assigned identity a workflow authenticates with: the one named, or its only one; "" for the system-assigned identity.</summary>
    private string UserAssignedFor(JsonNode workflow)
    {
        if (_options.UserAssignedIdentityId.Length > 0)
        {
            return _options.UserAssignedIdentityId;
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
}
