using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Diagnosis;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>Planning the role assignments or Key Vault access policy on the target resource.</summary>
public sealed partial class ManagedIdentityRemediator
{
    /// <summary>The roles (or Key Vault access policy) each identity needs on the target resource; returns the target.</summary>
    private async Task<(JsonObject? Target, int Count)> PlanAccessAsync(ConnectionPlanContext c, ConnectionUsage usage,
        IReadOnlyList<(string HolderId, string HolderName, PlannedChange? Enable, string Label)> identities)
    {
        var (plan, apiName, sink, cancellationToken) = (c.Plan, c.ApiName, c.Sink, c.CancellationToken);
        var roles = _options.Roles.Count > 0 ? _options.Roles.Select(RoleTable.Resolve).ToList() : RoleTable.For(apiName, usage).ToList();
        var requirement = ConnectorRequirements.For(apiName);
        if (roles.Count == 0)
        {
            sink.WriteWarning($"No built-in role is known for the {apiName} connector: give the logic app's managed identity access to the service yourself " +
                "(or name a role with -Role and the resource with -TargetResourceId).");
            return (null, 0);
        }

        var target = await TargetAsync(c, requirement).ConfigureAwait(false);
        var targetId = JsonEdit.String(target, "id");
        var targetName = JsonEdit.String(target, "name");
        _backups.NoteFix(targetId: targetId);
        var targetSubscription = AzureResourceId.SubscriptionOf(targetId);
        bool vaultPolicies = _options.Roles.Count == 0 && string.Equals(JsonEdit.String(target, "type"), "Microsoft.KeyVault/vaults", StringComparison.OrdinalIgnoreCase)
            && KeyVaultPermissionModel.UsesAccessPolicies(target);

        foreach (var (holderId, _, enable, label) in identities)
        {
            var principal = plan.PrincipalOf(holderId);
            if (vaultPolicies)
            {
                PlanVaultAccessPolicy(plan, target!, targetId, targetName, holderId, principal, label, enable);
                continue;
            }

            var held = principal.Length == 0
                ? Array.Empty<(string Scope, string RoleDefinitionId)>()
                : await c.Reads.Access.AssignmentsAsync(targetId, principal, cancellationToken).ConfigureAwait(false);
            foreach (var role in roles)
            {
                if (held.Any(h => h.RoleDefinitionId.EndsWith(role.Id, StringComparison.OrdinalIgnoreCase) && RoleMatcher.ScopeCovers(h.Scope, targetId)))
                {
                    var scope = held.First(h => h.RoleDefinitionId.EndsWith(role.Id, StringComparison.OrdinalIgnoreCase) && RoleMatcher.ScopeCovers(h.Scope, targetId)).Scope;
                    plan.AddInPlace(RemediationOperation.AssignRole, targetId, $"{label} already holds {role.Name} at {scope}", principal, role.Name, scope);
                    continue;
                }

                var pendingName = principal.Length > 0 ? DeterministicGuid.ForRoleAssignment(targetId, principal, role.Id).ToString("D") : "<guid>";
                var change = new PlannedChange(RemediationOperation.AssignRole, $"{targetId}/providers/Microsoft.Authorization/roleAssignments/{pendingName}", "PUT",
                    $"Grant {role.Name} on {targetId} to {label}", async context =>
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
                            using (await context.Arm.PutAsync($"{assignmentId}?api-version={ApiVersions.Authorization}", JsonEdit.Serialize(body), assignmentId, context.CancellationToken).ConfigureAwait(false))
                            {
                            }

                            context.Plan.Backups.RecordCreated("RoleAssignment", assignmentId, context.Change.Description,
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
        // Only the permissions the principal lacks are added (and recorded), so a restore takes away nothing it had before.
        var held = (JsonEdit.Get(vault, "properties", "accessPolicies") as JsonArray)?.OfType<JsonObject>()
            .Where(p => principal.Length > 0 && string.Equals(JsonEdit.String(p, "objectId"), principal, StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => (JsonEdit.Get(p, "permissions", "secrets") as JsonArray)?.Select(s => s?.ToString() ?? "") ?? Enumerable.Empty<string>())
            .ToList() ?? new List<string>();
        if (held.Any(s => string.Equals(s, "get", StringComparison.OrdinalIgnoreCase) || string.Equals(s, "all", StringComparison.OrdinalIgnoreCase)))
        {
            plan.AddInPlace(RemediationOperation.AddVaultAccessPolicy, vaultId, $"Key vault {vaultName} already has an access policy with secret get for {label}", principal);
            return;
        }

        var missing = new[] { "get", "list" }.Where(p => !held.Contains(p, StringComparer.OrdinalIgnoreCase)).ToArray();

        var tenant = JsonEdit.String(vault, "properties", "tenantId");
        plan.Add(new PlannedChange(RemediationOperation.AddVaultAccessPolicy, $"{vaultId}/accessPolicies/add", "PUT",
            $"Add a Key Vault access policy (secrets: {string.Join(", ", missing)}) for {label} to key vault {vaultId} (it uses access policies, not RBAC)", async context =>
            {
                var objectId = context.Plan.PrincipalOf(holderId);
                context.Change.PrincipalId = objectId;
                var policy = new JsonObject
                {
                    ["tenantId"] = tenant,
                    ["objectId"] = objectId,
                    ["permissions"] = new JsonObject { ["secrets"] = new JsonArray(missing.Select(p => (JsonNode?)p).ToArray()) },
                };
                var body = new JsonObject { ["properties"] = new JsonObject { ["accessPolicies"] = new JsonArray(policy.DeepClone()) } };
                var url = $"{vaultId}/accessPolicies/add?api-version={ApiVersions.KeyVault}";
                using (await context.Arm.PutAsync(url, JsonEdit.Serialize(body), vaultId, context.CancellationToken).ConfigureAwait(false))
                {
                }

                context.Plan.Backups.RecordCreated("VaultAccessPolicy", vaultId, context.Change.Description, new JsonObject { ["policy"] = policy });
            }, new[] { enable }) { PrincipalId = principal, Scope = vaultId });
    }

    /// <summary>The resource to grant on: -TargetResourceId, or the resource the connection's parameters name in the connection's own resource group.</summary>
    private async Task<JsonObject> TargetAsync(ConnectionPlanContext c, ConnectorRequirement? requirement)
    {
        var (reads, id, apiName, parameters, cancellationToken) = (c.Reads, c.Id, c.ApiName, c.Parameters, c.CancellationToken);
        if (_options.TargetResourceId.Length > 0)
        {
            var target = AzureResourceId.Parse(_options.TargetResourceId);
            var version = requirement != null && target.IsType(requirement.ResourceType)
                ? requirement.ListApiVersion
                : await reads.VersionForAsync(target, cancellationToken).ConfigureAwait(false);
            try
            {
                return await reads.ReadAsync(target.Id, version, cancellationToken).ConfigureAwait(false);
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
            return await reads.ReadAsync($"{AzureResourceId.ResourceGroup(id.SubscriptionId, id.ResourceGroupName)}/providers/{requirement.ResourceType}/{name}",
                requirement.ListApiVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404)
        {
        }

        var candidates = await reads.Access.TargetsAsync(id.SubscriptionId, requirement.ResourceType, cancellationToken).ConfigureAwait(false);
        var match = candidates.Cast<System.Text.Json.JsonElement?>().FirstOrDefault(c => string.Equals(Arm.Json.String(c!.Value, "name"), name, StringComparison.OrdinalIgnoreCase));
        var found = match is System.Text.Json.JsonElement item ? JsonEdit.ParseObject(item.GetRawText()) : null;
        if (found == null)
        {
            throw new LogicAppAuthException("TargetResourceNotFound", FailureKind.ObjectNotFound,
                $"Connection {id.Name} names {requirement.ResourceType} '{name}', which is not in subscription {id.SubscriptionId}; nothing was changed. " +
                "Name the resource with -TargetResourceId.", id.Id);
        }

        // Whoever can edit the connection chooses this name, so a grant outside its own resource group needs the operator's choice.
        var foundId = JsonEdit.String(found, "id");
        throw new LogicAppAuthException("TargetOutsideResourceGroup", FailureKind.InvalidArgument,
            $"Connection {id.Id} names {requirement.ResourceType} '{name}', which is not in the connection's resource group {id.ResourceGroupName}; the only match is " +
            $"{foundId}. A fix grants on a resource outside the connection's resource group only when you name it, so nothing was changed: " +
            $"if that is the right resource, add -TargetResourceId '{foundId.Replace("'", "''")}'.", id.Id);
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
}
