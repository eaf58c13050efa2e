using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Remediation
{
    /// <summary>Planning the Standard app side: its connections.json entry authenticating to the connection with the app's identity.</summary>
    public sealed partial class ManagedIdentityRemediator
    {
        /// <summary>
        /// The connections.json entries that name the connection get <c>"authentication": { "type": "ManagedServiceIdentity" }</c>
        /// (with <c>identity</c> for a user-assigned one), unless they have it already. <paramref name="listed"/> is the entry as
        /// listWorkflowsConnections showed it; the file itself is read only when it needs the change.
        /// </summary>
        private async Task PlanAppConnectionsAsync(RemediationPlan plan, ArmRestClient arm, AzureResourceId connection, string siteId, string appName, JsonNode? listed,
            IEnumerable<PlannedChange?> dependsOn, IOperationSink sink, CancellationToken cancellationToken)
        {
            var identity = options.UserAssignedIdentityId;
            var address = AppConnectionsFile.AddressOf(siteId);
            var wanted = $"{ManagedServiceIdentity}{(identity.Length > 0 ? $" ({Last(identity)})" : "")}";
            var inPlace = $"connections.json of Standard app {appName} already authenticates to connection {connection.Name} with {wanted}";
            if (string.Equals(JsonEdit.String(listed, "authentication", "type"), ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase)
                && string.Equals(JsonEdit.String(listed, "authentication", "identity"), identity, StringComparison.OrdinalIgnoreCase))
            {
                plan.AddInPlace(RemediationOperation.SetAppConnectionAuthentication, address, inPlace);
                return;
            }

            AppConnectionsFile file;
            try
            {
                file = await AppConnectionsFile.ReadAsync(arm, siteId, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 405)
            {
                sink.WriteWarning($"connections.json of Standard app {appName} could not be read through its host runtime ({e.HttpStatus} {e.ErrorId}), so it was not changed. " +
                    $"Set the \"authentication\" of its managedApiConnections entry for connection {connection.Name} to {{ \"type\": \"{ManagedServiceIdentity}\" }} and deploy the app.");
                return;
            }

            var entries = file.EntriesToSwitch(connection.Id, identity);
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
                context => context.WriteFileAsync(siteId, fresh => fresh.WithManagedIdentity(connection.Id, identity)), dependsOn));
        }
    }
}
