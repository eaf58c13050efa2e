using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Graph;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Diagnosis;

public sealed partial class ConnectorDiagnostician
{
    /// <summary>
    /// Managed identities of the users, access policies of V2 connections, and the roles held by the principal the
    /// connection signs in as: the users' managed identities, or the service principal of its token:clientId
    /// (<paramref name="servicePrincipalLookup"/>, asked for before the Graph hold was released).
    /// </summary>
    private async Task CheckIdentitiesAsync(InventoryEntry work, DiagnosisFindings findings, Task<GraphResponse>? servicePrincipalLookup, CancellationToken cancellationToken)
    {
        var checks = new List<Task>();
        var requirement = ConnectorRequirements.For(work.Facts.Status.ApiName);
        if (servicePrincipalLookup != null && requirement != null)
        {
            checks.Add(CheckServicePrincipalPermissionAsync(work.Facts, requirement, servicePrincipalLookup, findings, cancellationToken));
        }

        checks.Add(CheckUserIdentitiesAsync(work, findings, cancellationToken));
        await Task.WhenAll(checks).ConfigureAwait(false);
    }

    /// <summary>The service-principal connection's app in Graph, then the same role check as a managed identity's, for its object id.</summary>
    private async Task CheckServicePrincipalPermissionAsync(ConnectionFacts facts, ConnectorRequirement requirement, Task<GraphResponse> lookup, DiagnosisFindings findings,
        CancellationToken cancellationToken)
    {
        var answer = await lookup.ConfigureAwait(false);
        if (!answer.Succeeded)
        {
            SkipGraph(findings, "role check", "servicePrincipals", "Application.Read.All", answer);
            return;
        }

        var servicePrincipal = ServicePrincipalFrom(answer.Body);
        if (servicePrincipal == null)
        {
            findings.Skip("role check", $"no service principal for appId {facts.ClientId} in the directory (the app is not registered or consented in this tenant)");
            return;
        }

        var (objectId, displayName) = servicePrincipal.Value;
        var who = $"service principal {Or(displayName, facts.ClientId)} ({objectId})";
        await CheckPermissionAsync(facts, requirement, who, objectId, findings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>(id, displayName) of the first service principal of a Graph list answer; null when the list is empty.</summary>
    internal static (string ObjectId, string DisplayName)? ServicePrincipalFrom(JsonElement? body)
    {
        if (body is JsonElement root && Json.Path(root, "value") is JsonElement value && value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                var id = Json.String(item, "id");
                if (id.Length > 0)
                {
                    return (id, Json.String(item, "displayName"));
                }
            }
        }

        return null;
    }

    /// <summary>Managed identities of the users, access policies of V2 connections, and the roles the identities hold.</summary>
    private async Task CheckUserIdentitiesAsync(InventoryEntry work, DiagnosisFindings findings, CancellationToken cancellationToken)
    {
        var facts = work.Facts;
        bool managedIdentityConnection = facts.Status.AuthenticationType == AuthenticationType.ManagedIdentity;
        if (work.References.Count == 0)
        {
            var workflowsUnread = _inventoryOptions.GapFor(facts.Status.ResourceId, "workflows");
            var appsUnread = _inventoryOptions.GapFor(facts.Status.ResourceId, "Standard apps");
            if (workflowsUnread.Length > 0)
            {
                findings.Skip("identity check", workflowsUnread);
            }
            else if (facts.Status.Kind == "V2" && appsUnread.Length > 0)
            {
                findings.Skip("access policy check", appsUnread);
            }
            else if (managedIdentityConnection)
            {
                findings.Note("no logic app in its resource group uses it; identity not checked");
            }

            return;
        }

        var principals = new List<(ConnectionReference User, string PrincipalId)>();
        var policyChecks = new List<(ConnectionReference User, string PrincipalId)>();
        foreach (var user in work.References)
        {
            if (user.IsStandardApp)
            {
                if (user.Unresolved.Length > 0)
                {
                    findings.Note($"Standard app {user.Name} names it only by name in connections.json as far as could be read ({user.Unresolved})");
                }

                if (user.AuthenticationUnresolved.Length > 0)
                {
                    findings.Skip("access policy check", $"the authentication of Standard app {user.Name}'s connections.json entry '{user.ReferenceName}' is not known ({user.AuthenticationUnresolved})");
                    continue;
                }

                if (!user.UsesManagedIdentity)
                {
                    findings.Note($"Standard app {user.Name} authenticates to it with {Or(user.AuthenticationType, "no")} authentication");
                    continue;
                }

                var principal = user.PrincipalId();
                if (principal.Length == 0)
                {
                    findings.Add(DiagnosisCause.ManagedIdentityNotAssigned, user.AuthenticationIdentity.Length > 0
                        ? $"connections.json of Standard app {user.Name} names user-assigned identity {user.AuthenticationIdentity}, which the app does not hold " +
                          $"(identity: {user.Identity.Describe()}); connections.json is app content, so the fix does not attach it on its own: check that it is the " +
                          "intended identity, then name it with Set-LogicConnectorManagedIdentity -UserAssignedIdentityId"
                        : $"Standard app {user.Name} has no {user.IdentityLabel()} (identity: {user.Identity.Describe()})");
                    continue;
                }

                policyChecks.Add((user, principal));
                if (managedIdentityConnection)
                {
                    principals.Add((user, principal));
                }
            }
            else if (managedIdentityConnection)
            {
                if (!user.UsesManagedIdentity)
                {
                    findings.Add(DiagnosisCause.ManagedIdentityNotAssigned,
                        $"workflow {user.Name}'s $connections entry '{user.ReferenceName}' does not use ManagedServiceIdentity authentication");
                    continue;
                }

                var principal = user.PrincipalId();
                if (principal.Length == 0)
                {
                    findings.Add(DiagnosisCause.ManagedIdentityNotAssigned, $"workflow {user.Name} has no {user.IdentityLabel()} (identity: {user.Identity.Describe()})");
                    continue;
                }

                findings.Note($"workflow {user.Name} has its {user.IdentityLabel()} {principal}");
                principals.Add((user, principal));
            }
        }

        var checks = new List<Task>();
        if (policyChecks.Count > 0)
        {
            checks.Add(CheckAccessPoliciesAsync(facts, policyChecks, findings, cancellationToken));
        }

        if (principals.Count > 0)
        {
            var requirement = ConnectorRequirements.For(facts.Status.ApiName);
            if (requirement == null)
            {
                findings.Note($"roles for {facts.Status.ApiName} connections are not checked through Azure RBAC");
            }
            else
            {
                foreach (var (user, principal) in principals.GroupBy(p => p.PrincipalId, StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
                {
                    checks.Add(CheckPermissionAsync(facts, requirement, $"{user.Kind} {user.Name}'s {user.IdentityLabel()} ({principal})", principal, findings, cancellationToken));
                }
            }
        }

        await Task.WhenAll(checks).ConfigureAwait(false);
    }

    private async Task CheckAccessPoliciesAsync(ConnectionFacts facts, IReadOnlyList<(ConnectionReference User, string PrincipalId)> users, DiagnosisFindings findings,
        CancellationToken cancellationToken)
    {
        IReadOnlyCollection<string> policies;
        try
        {
            policies = await _access.AccessPolicyPrincipalsAsync(facts.Status.ResourceId, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 403 || e.HttpStatus == 401)
        {
            findings.Skip("access policy check", $"access policies not readable ({e.HttpStatus} {e.ErrorId})");
            Warn("accesspolicies:" + e.HttpStatus, $"Access policies of V2 connections could not be read ({e.HttpStatus} {e.ErrorId}); AccessPolicyMissing is not checked. Reader on the connections is enough.");
            return;
        }

        foreach (var (user, principal) in users)
        {
            if (policies.Contains(principal))
            {
                findings.Note($"access policy present for Standard app {user.Name}'s {user.IdentityLabel()}");
            }
            else
            {
                findings.Add(DiagnosisCause.AccessPolicyMissing,
                    $"no access policy on the V2 connection for Standard app {user.Name}'s {user.IdentityLabel()} {principal} ({policies.Count} other polic{(policies.Count == 1 ? "y" : "ies")})");
            }
        }
    }

    /// <summary>
    /// PermissionMissing: the principal the connection signs in as (<paramref name="who"/> names it: a logic app's
    /// managed identity or the connection's service principal) holds no role whose (data) actions cover what the
    /// connector needs, at a scope that covers the target resource (found by the name in the connection's
    /// parameters). With no target, any such role in the subscription counts, and the evidence says so.
    /// </summary>
    private async Task CheckPermissionAsync(ConnectionFacts facts, ConnectorRequirement requirement, string who, string principal,
        DiagnosisFindings findings, CancellationToken cancellationToken)
    {
        var parameter = requirement.TargetParameters.FirstOrDefault(p => facts.Parameters.ContainsKey(p));
        var targetName = parameter == null ? "" : ConnectorRequirements.ResourceNameFrom(facts.Parameters[parameter]);
        var subscriptionId = facts.Status.SubscriptionId;
        JsonElement? target = null;
        string targetNote;
        if (targetName.Length == 0)
        {
            targetNote = $"the connection names no target resource, so any role in subscription {subscriptionId} counts";
        }
        else
        {
            try
            {
                var candidates = await _access.TargetsAsync(subscriptionId, requirement.ResourceType, cancellationToken).ConfigureAwait(false);
                target = candidates.Cast<JsonElement?>().FirstOrDefault(c => string.Equals(Json.String(c!.Value, "name"), targetName, StringComparison.OrdinalIgnoreCase));
                targetNote = target == null ? $"{requirement.ResourceType} '{targetName}' not found in subscription {subscriptionId}, so any role in the subscription counts" : "";
            }
            catch (LogicAppAuthException e)
            {
                targetNote = $"{requirement.ResourceType} list not readable ({e.HttpStatus} {e.ErrorId}), so any role in subscription {subscriptionId} counts";
            }
        }

        var targetId = target == null ? "" : Json.String(target.Value, "id");
        if (target is JsonElement vault && requirement.ResourceType == "Microsoft.KeyVault/vaults" && KeyVaultPermissionModel.UsesAccessPolicies(vault))
        {
            if (!CheckVaultAccessPolicy(vault, principal, who, targetName, findings))
            {
                findings.MissingGrant = new MissingGrant(principal, "", targetId, targetName);
            }

            return;
        }

        IReadOnlyList<(string Scope, string RoleDefinitionId)> held;
        try
        {
            held = await _access.SubscriptionAssignmentsAsync(subscriptionId, principal, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e)
        {
            findings.Skip("role check", $"role assignments of {principal} not readable ({e.HttpStatus} {e.ErrorId})");
            if (e.HttpStatus == 403 || e.HttpStatus == 401)
            {
                Warn("roleassignments:" + e.HttpStatus, $"Role assignments could not be read ({e.HttpStatus} {e.ErrorId}); PermissionMissing is not checked. Reader (Microsoft.Authorization/roleAssignments/read) on the subscription is enough.");
            }

            return;
        }

        var seenRoles = new List<string>();
        foreach (var (scope, roleDefinitionId) in held)
        {
            RoleDefinitionInfo role;
            try
            {
                role = await _access.RoleDefinitionAsync(roleDefinitionId, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e)
            {
                findings.Skip("role check", $"role definition {AzureResourceId.LastSegment(roleDefinitionId)} not readable ({e.HttpStatus} {e.ErrorId})");
                continue;
            }

            var name = role.RoleName.Length > 0 ? role.RoleName : AzureResourceId.LastSegment(roleDefinitionId);
            seenRoles.Add($"{name} at {scope}");
            bool grants = requirement.AnyOfDataActions.Any(a => RoleMatcher.Grants(role, a, true)) || requirement.AnyOfActions.Any(a => RoleMatcher.Grants(role, a, false));
            if (grants && (targetId.Length == 0 || RoleMatcher.ScopeCovers(scope, targetId)))
            {
                findings.Note($"{who} holds {name} at {scope}" + (targetNote.Length > 0 ? $" ({targetNote})" : ""));
                return;
            }
        }

        var on = targetId.Length > 0 ? $"on {targetName} (scope {targetId})" : $"in subscription {subscriptionId}";
        var rolesSeen = seenRoles.Count == 0 ? "no role assignments" : "holds only " + string.Join(", ", seenRoles);
        findings.MissingGrant = new MissingGrant(principal, requirement.LeastPrivilegedRole, targetId.Length > 0 ? targetId : "/subscriptions/" + subscriptionId, "");
        findings.Add(DiagnosisCause.PermissionMissing,
            $"{who} has no role granting {string.Join(" or ", requirement.Describe())} {on} ({rolesSeen}; least-privileged role: {requirement.LeastPrivilegedRole})" +
            (targetNote.Length > 0 ? $"; {targetNote}" : ""));
    }

    private static bool CheckVaultAccessPolicy(JsonElement vault, string principal, string who, string vaultName, DiagnosisFindings findings)
    {
        if (Json.Path(vault, "properties", "accessPolicies") is JsonElement policies && policies.ValueKind == JsonValueKind.Array)
        {
            foreach (var policy in policies.EnumerateArray())
            {
                if (string.Equals(Json.String(policy, "objectId"), principal, StringComparison.OrdinalIgnoreCase)
                    && Json.Path(policy, "permissions", "secrets") is JsonElement secrets && secrets.ValueKind == JsonValueKind.Array
                    && secrets.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.String && (string.Equals(s.GetString(), "get", StringComparison.OrdinalIgnoreCase) || s.GetString() == "all")))
                {
                    findings.Note($"{who} has a Key Vault access policy with secret get on {vaultName}");
                    return true;
                }
            }
        }

        findings.Add(DiagnosisCause.PermissionMissing, $"{who} has no Key Vault access policy with secret get on {vaultName} (the vault uses access policies, not RBAC)");
        return false;
    }

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;
}
