using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Diagnosis;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// The one reader of who may reach a target: role assignments of a principal, role definitions, the candidate
/// target resources of a type, and the access policies of a V2 connection. Diagnosis and the fix both read through
/// it; each read is made once per instance (one cmdlet call), failures included.
/// </summary>
internal sealed class RoleAccessReader
{
    private readonly Func<ArmRestClient> _arm;
    private readonly AsyncCache<IReadOnlyList<(string Scope, string RoleDefinitionId)>> _assignments = new AsyncCache<IReadOnlyList<(string, string)>>();
    private readonly AsyncCache<ILookup<string, (string Scope, string RoleDefinitionId)>> _subscriptionAssignments = new AsyncCache<ILookup<string, (string, string)>>();
    private readonly AsyncCache<RoleDefinitionInfo> _roleDefinitions = new AsyncCache<RoleDefinitionInfo>();
    private readonly AsyncCache<IReadOnlyList<JsonElement>> _targets = new AsyncCache<IReadOnlyList<JsonElement>>();
    private readonly AsyncCache<IReadOnlyCollection<string>> _accessPolicies = new AsyncCache<IReadOnlyCollection<string>>();

    public RoleAccessReader(ArmRestClient arm)
        : this(() => arm)
    {
    }

    /// <summary>A reader whose reads go through the client <paramref name="arm"/> gives at the time (the current call's).</summary>
    public RoleAccessReader(Func<ArmRestClient> arm)
    {
        _arm = arm;
    }

    /// <summary>Role assignments of a principal that apply at <paramref name="scope"/>, above it, or (for a subscription) below it.</summary>
    public Task<IReadOnlyList<(string Scope, string RoleDefinitionId)>> AssignmentsAsync(string scope, string principalId, CancellationToken cancellationToken) =>
        _assignments.GetAsync($"{scope}|{principalId}", async () =>
        {
            var found = new List<(string, string)>();
            var filter = Uri.EscapeDataString($"principalId eq '{principalId}'");
            await _arm().ListAsync($"{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ApiVersions.Authorization}&$filter={filter}", a =>
            {
                if (string.Equals(Json.String(a, "properties", "principalId"), principalId, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add((Json.String(a, "properties", "scope"), Json.String(a, "properties", "roleDefinitionId")));
                }
            }, scope, cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<(string, string)>)found;
        });

    /// <summary>
    /// Role assignments of a principal anywhere in a subscription (at, above and below it), from one list of every
    /// assignment there, read once per subscription: a tenant's diagnosis asks about thousands of identities.
    /// </summary>
    public async Task<IReadOnlyList<(string Scope, string RoleDefinitionId)>> SubscriptionAssignmentsAsync(string subscriptionId, string principalId, CancellationToken cancellationToken)
    {
        var all = await ReadSubscriptionAssignmentsAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
        return all[principalId].ToList();
    }

    /// <summary>Every role assignment in a subscription (at, above and below it) by principal, read once per subscription.</summary>
    public Task<ILookup<string, (string Scope, string RoleDefinitionId)>> ReadSubscriptionAssignmentsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        _subscriptionAssignments.GetAsync(subscriptionId, async () =>
        {
            var found = new List<(string Principal, string Scope, string Role)>();
            var scope = "/subscriptions/" + subscriptionId;
            await _arm().ListAsync($"{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ApiVersions.Authorization}", a =>
                found.Add((Json.String(a, "properties", "principalId"), Json.String(a, "properties", "scope"), Json.String(a, "properties", "roleDefinitionId"))),
                scope, cancellationToken).ConfigureAwait(false);
            return found.ToLookup(f => f.Principal, f => (f.Scope, f.Role), StringComparer.OrdinalIgnoreCase);
        });

    /// <summary>A role definition, read once per role (built-in roles have the same GUID in every subscription).</summary>
    public Task<RoleDefinitionInfo> RoleDefinitionAsync(string roleDefinitionId, CancellationToken cancellationToken) =>
        _roleDefinitions.GetAsync(AzureResourceId.LastSegment(roleDefinitionId), async () =>
        {
            using var document = await _arm().GetAsync($"{roleDefinitionId}?api-version={ApiVersions.Authorization}", roleDefinitionId, cancellationToken).ConfigureAwait(false);
            return RoleDefinitionInfo.Read(document.RootElement);
        });

    /// <summary>Every resource of a type in a subscription (the candidates a connection's target name is looked up among).</summary>
    public Task<IReadOnlyList<JsonElement>> TargetsAsync(string subscriptionId, string resourceType, CancellationToken cancellationToken) =>
        _targets.GetAsync($"/subscriptions/{subscriptionId}/providers/{resourceType}", async () =>
        {
            var found = new List<JsonElement>();
            await _arm().ListAsync($"/subscriptions/{subscriptionId}/providers/{resourceType}?api-version={ApiVersions.ForResourceType(resourceType)}",
                r => found.Add(r.Clone()), $"/subscriptions/{subscriptionId}", cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<JsonElement>)found;
        });

    /// <summary>The object ids a V2 connection's access policies name; a connection without the collection (404) has none.</summary>
    public Task<IReadOnlyCollection<string>> AccessPolicyPrincipalsAsync(string connectionId, CancellationToken cancellationToken) =>
        _accessPolicies.GetAsync(connectionId, async () =>
        {
            var principals = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            try
            {
                await _arm().ListAsync($"{connectionId}/accessPolicies?api-version={ApiVersions.Connections}",
                    p => principals.Add(Json.String(p, "properties", "principal", "identity", "objectId")), connectionId, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
            }

            return (IReadOnlyCollection<string>)principals;
        });
}
