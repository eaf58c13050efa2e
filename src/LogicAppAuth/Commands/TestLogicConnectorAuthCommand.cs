using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Diagnosis;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Diagnoses API connections: the root cause of an authentication failure, the evidence, and the command that fixes it.
    /// Piped connections are diagnosed in chunks, so that Graph look-ups are batched and shared across them.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "LogicConnectorAuth")]
    [OutputType(typeof(ConnectorDiagnosis))]
    public sealed class TestLogicConnectorAuthCommand : LogicAppAuthCmdlet
    {
        private const int ChunkSize = 200;
        private static readonly Regex ConnectionIdPattern = new Regex(@"/providers/Microsoft\.Web/connections/[^/]+/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private readonly List<string> pendingConnections = new List<string>();
        private ConnectorDiagnostician? diagnostician;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ResourceGroup")]
        public string? ResourceGroupName { get; set; }

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Subscription")]
        public string[]? SubscriptionId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string[]? ResourceId { get; set; }

        /// <summary>Whatever is piped in: a string is a resource id; other objects bind through the properties above.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

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

            diagnostician = new ConnectorDiagnostician(SessionStore.Current, options);
        }

        protected override void ProcessRecord()
        {
            var engine = diagnostician!;
            var subscriptions = (SubscriptionId ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
            if (InputObject?.BaseObject is string text)
            {
                ResourceId = new[] { text };
            }

            var ids = (ResourceId ?? Array.Empty<string>()).Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).ToList();
            if (ids.Count > 0)
            {
                foreach (var id in ids)
                {
                    if (ConnectionIdPattern.IsMatch(id))
                    {
                        Queue(id);
                    }
                    else
                    {
                        Flush();
                        Run(id, (sink, token) => engine.DiagnoseResourceIdsAsync(new[] { id }, sink, token));
                    }
                }
            }
            else if (!string.IsNullOrWhiteSpace(ResourceGroupName))
            {
                var group = ResourceGroupName!.Trim();
                var subscription = subscriptions.Count == 1 ? subscriptions[0] : subscriptions.Count == 0 ? SessionStore.Current.DefaultSubscriptionId : "";
                if (Name != null && Name.Length > 0 && Name.All(n => !WildcardPattern.ContainsWildcardCharacters(n)) && subscription.Length > 0)
                {
                    foreach (var name in Name)
                    {
                        Queue($"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Web/connections/{name.Trim()}");
                    }
                }
                else
                {
                    Flush();
                    Run(group, (sink, token) => engine.DiagnoseResourceGroupAsync(group, subscriptions, NameFilter(), sink, token));
                }
            }
            else if (subscriptions.Count > 0)
            {
                Flush();
                Run("/subscriptions/" + string.Join(",", subscriptions), (sink, token) => engine.DiagnoseSubscriptionsAsync(subscriptions, NameFilter(), sink, token));
            }
            else if (InputObject != null)
            {
                WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                    "The input has no ResourceId, Id, ResourceGroupName or SubscriptionId value; it was skipped. Pipe connections (Get-LogicConnectorStatus), resource ids or objects from Az cmdlets.", InputObject));
            }
            else
            {
                Run("/subscriptions", (sink, token) => engine.DiagnoseSubscriptionsAsync(Array.Empty<string>(), NameFilter(), sink, token));
            }
        }

        protected override void EndProcessing() => Flush();

        /// <summary>Connections piped one by one are diagnosed together, a chunk at a time, so that their look-ups are shared and batched.</summary>
        private void Queue(string connectionId)
        {
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
