using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>Planning the Standard app side: its connections.json entries authenticating to the connection with the app's identity.</summary>
public sealed partial class ManagedIdentityRemediator
{
    /// <summary>
    /// The user-assigned identity a Standard app is to use for the connection: the one named with
    /// -UserAssignedIdentityId, else the one its managed-identity entries already name; "" for the system-assigned one.
    /// </summary>
    private string AppUserAssignedIdentity(AppConnectionsFile listed, string connectionId)
    {
        if (_options.UserAssignedIdentityId.Length > 0)
        {
            return _options.UserAssignedIdentityId;
        }

        var entries = listed.EntriesFor(connectionId);
        var named = entries.Select(e => JsonEdit.String(listed.Content, "managedApiConnections", e, "authentication", "identity")).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return listed.EntriesToSwitch(connectionId, "").Count == 0 && named.Count == 1 ? named[0] : "";
    }

    /// <summary>
    /// Whether a Standard app holds the user-assigned identity its connections.json names. connections.json is app
    /// content, so whoever deploys the app's files could name any identity there: the fix attaches one only when
    /// -UserAssignedIdentityId names it, and otherwise leaves the choice to the operator.
    /// </summary>
    private bool MayUse(JsonObject site, string siteId, string userAssigned, string connectionId, IOperationSink sink)
    {
        if (userAssigned.Length == 0 || _options.UserAssignedIdentityId.Length > 0
            || ((JsonEdit.Get(site, "identity", "userAssignedIdentities") as JsonObject)?.Any(p => BackupFix.SameId(p.Key, userAssigned)) ?? false))
        {
            return true;
        }

        sink.WriteWarning($"connections.json of Standard app {siteId} names user-assigned identity {userAssigned} for connection {connectionId}, " +
            "and the app does not hold it. It was not attached, and nothing was changed for this connection: connections.json is app content, so whoever " +
            $"deploys the app's files could name any identity there. If it is the right identity, attach it by naming it: -UserAssignedIdentityId '{userAssigned.Replace("'", "''")}'.");
        return false;
    }

    /// <summary>
    /// The connections.json entries that name the connection get <c>"authentication": { "type": "ManagedServiceIdentity" }</c>
    /// (with <c>identity</c> for a user-assigned one), unless they have it already. <paramref name="listed"/> is the file
    /// as listWorkflowsConnections showed it; the file itself is read only when it needs the change.
    /// </summary>
    private static async Task PlanAppConnectionsAsync(ConnectionPlanContext c, string siteId, string appName, AppConnectionsFile listed, string userAssigned,
        IEnumerable<PlannedChange?> dependsOn)
    {
        var (plan, connection, sink) = (c.Plan, c.Id, c.Sink);
        var address = AppConnectionsFile.AddressOf(siteId);
        var wanted = $"{ManagedServiceIdentity}{(userAssigned.Length > 0 ? $" ({AzureResourceId.LastSegment(userAssigned)})" : "")}";
        // An authentication that parameters.json supplies is the deployment's to change: the fix never replaces the expression with a literal.
        if (listed.ExpressionEntriesToSwitch(connection.Id, userAssigned).FirstOrDefault() is (string entry, string parameter) && entry != null)
        {
            var value = userAssigned.Length > 0 ? $"{{ \"type\": \"{ManagedServiceIdentity}\", \"identity\": \"{userAssigned}\" }}" : $"{{ \"type\": \"{ManagedServiceIdentity}\" }}";
            var edit = parameter.Length > 0
                ? $"in parameters.json of Standard app {appName}, set \"{parameter}\" to {{ \"type\": \"Object\", \"value\": {value} }}"
                : $"in connections.json of Standard app {appName}, give managedApiConnections['{entry}'] the authentication {value}";
            throw new LogicAppAuthException("AuthenticationFromDeployment", FailureKind.InvalidArgument,
                $"The authentication of managedApiConnections['{entry}'] for connection {connection.Name} comes from the app's deployment " +
                $"({JsonEdit.String(listed.Content, "managedApiConnections", entry, "authentication")}), not a value the fix may overwrite; nothing was changed. " +
                $"Make the edit in the project and deploy it: {edit}. Then run the fix again." +
                (listed.Values.Unreadable.Length > 0 ? $" (Not resolved: {listed.Values.Unreadable}.)" : ""), connection.Id);
        }

        var inPlace = $"connections.json of Standard app {appName} already authenticates to connection {connection.Name} with {wanted}";
        if (listed.EntriesToSwitch(connection.Id, userAssigned).Count == 0)
        {
            plan.AddInPlace(RemediationOperation.SetAppConnectionAuthentication, address, inPlace);
            return;
        }

        AppConnectionsFile file;
        try
        {
            file = await AppConnectionsFile.ReadAsync(c.Reads.Arm, siteId, c.CancellationToken, listed.Values).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is LogicAppAuthException failure && failure.HttpStatus >= 400 && failure.HttpStatus != 401) || e is System.Text.Json.JsonException)
        {
            var reason = e is LogicAppAuthException refused ? $"{refused.HttpStatus} {refused.ErrorId}" : "it is not valid JSON";
            sink.WriteWarning($"connections.json of Standard app {appName} could not be read through its host runtime ({reason}), so it was not changed. " +
                $"Set the \"authentication\" of its managedApiConnections entry for connection {connection.Name} to {{ \"type\": \"{ManagedServiceIdentity}\" }} and deploy the app.");
            return;
        }

        var entries = file.EntriesToSwitch(connection.Id, userAssigned);
        if (entries.Count == 0)
        {
            plan.AddInPlace(RemediationOperation.SetAppConnectionAuthentication, address, inPlace);
            return;
        }

        plan.RememberFingerprint(address, file.CurrentFingerprint);
        var before = file.AuthenticationOf(entries[0]);
        var description = $"Set \"authentication\" to {wanted} for managedApiConnections['{string.Join("', '", entries)}'] in connections.json of Standard app {appName} " +
            $"(was {(before.Length == 0 ? "none" : before)}; every other entry and property kept)";
        plan.Add(new PlannedChange(RemediationOperation.SetAppConnectionAuthentication, address, "PUT", description,
            context => context.WriteFileAsync(siteId, fresh => fresh.WithManagedIdentity(connection.Id, userAssigned), listed.Values), dependsOn));
    }
}
