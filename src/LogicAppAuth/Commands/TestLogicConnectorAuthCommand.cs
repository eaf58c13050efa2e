using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Diagnosis;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Diagnoses API connections: the root cause of an authentication failure, the evidence, and the command that fixes it.
    /// Piped connections are diagnosed in chunks, so that Graph look-ups are batched and shared across them.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "LogicConnectorAuth")]
    [OutputType(typeof(ConnectorDiagnosis))]
    public sealed class TestLogicConnectorAuthCommand : ConnectionScopeCmdlet
    {
        private const int ChunkSize = 200;
        private static readonly Regex ConnectionIdPattern = new Regex(@"/providers/Microsoft\.Web/connections/[^/]+/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private readonly List<string> pendingConnections = new List<string>();
        private readonly HashSet<string> queuedConnections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private ConnectorDiagnostician? diagnostician;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        [Parameter]
        public SwitchParameter Live { get; set; }

        [Parameter]
        public SwitchParameter IncludeRunHistory { get; set; }

        [Parameter]
        public DateTime Since { get; set; }

        protected override void BeginProcessing()
        {
            bool since = MyInvocation.BoundParameters.ContainsKey(nameof(Since));
            var options = new DiagnosisOptions
            {
                Live = Live,
                IncludeRunHistory = IncludeRunHistory || since,
            };
            if (since)
            {
                options.Since = new DateTimeOffset(Since.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(Since, DateTimeKind.Local) : Since);
            }

            diagnostician = new ConnectorDiagnostician(Session, options);
        }

        protected override void ProcessRecord() => Diagnose(ReadScopes());

        protected override void EndProcessing()
        {
            Diagnose(FinalScopes());
            Flush();
        }

        private void Diagnose(IEnumerable<ConnectionScope> scopes)
        {
            var engine = diagnostician!;
            foreach (var scope in scopes)
            {
                switch (scope.Kind)
                {
                    case ConnectionScopeKind.ResourceId when ConnectionIdPattern.IsMatch(scope.ResourceId):
                        Queue(scope.ResourceId);
                        break;
                    case ConnectionScopeKind.ResourceId:
                        Flush();
                        Run(scope.Description, (sink, token) => engine.DiagnoseResourceIdsAsync(new[] { scope.ResourceId }, sink, token));
                        break;
                    case ConnectionScopeKind.ResourceGroup:
                        DiagnoseResourceGroup(scope);
                        break;
                    default:
                        Flush();
                        Run(scope.Description, (sink, token) => engine.DiagnoseSubscriptionsAsync(scope.SubscriptionIds, NameFilter(), sink, token));
                        break;
                }
            }
        }

        /// <summary>Named connections of a group are read directly; otherwise the whole group is listed and filtered.</summary>
        private void DiagnoseResourceGroup(ConnectionScope scope)
        {
            var subscriptions = scope.SubscriptionIds;
            var subscription = subscriptions.Count == 1 ? subscriptions[0] : subscriptions.Count == 0 ? Session.DefaultSubscriptionId : "";
            if (Name != null && Name.Length > 0 && Name.All(n => !WildcardPattern.ContainsWildcardCharacters(n)) && subscription.Length > 0)
            {
                foreach (var name in Name)
                {
                    Queue($"/subscriptions/{subscription}/resourceGroups/{scope.ResourceGroupName}/providers/Microsoft.Web/connections/{name.Trim()}");
                }
            }
            else
            {
                Flush();
                var engine = diagnostician!;
                Run(scope.Description, (sink, token) => engine.DiagnoseResourceGroupAsync(scope.ResourceGroupName, subscriptions, NameFilter(), sink, token));
            }
        }

        /// <summary>Connections piped one by one are diagnosed together, a chunk at a time, so that their look-ups are shared and batched.</summary>
        private void Queue(string connectionId)
        {
            // One diagnosis per connection per call, however often it is piped in (not only within one chunk).
            if (!queuedConnections.Add(connectionId.TrimEnd('/')))
            {
                return;
            }

            pendingConnections.Add(connectionId);
            if (pendingConnections.Count >= ChunkSize)
            {
                Flush();
            }
        }

        private void Flush()
        {
            if (pendingConnections.Count == 0)
            {
                return;
            }

            var chunk = pendingConnections.ToList();
            pendingConnections.Clear();
            var engine = diagnostician!;
            Run(chunk.Count == 1 ? chunk[0] : $"{chunk.Count} connections", (sink, token) => engine.DiagnoseResourceIdsAsync(chunk, sink, token));
        }

        private Func<string, bool>? NameFilter()
        {
            var patterns = Name?.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => WildcardPattern.Get(n.Trim(), WildcardOptions.IgnoreCase)).ToList();
            return patterns == null || patterns.Count == 0 ? null : (Func<string, bool>)(name => patterns.Any(p => p.IsMatch(name)));
        }
    }
}
