using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Expiry;
using LogicAppAuth.Engine.Monitoring;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Writes the connector metrics of a scope to a Prometheus textfile (for node_exporter's textfile collector), atomically.
    /// Scopes piped in are gathered and read at the end; the file is written once.
    /// </summary>
    [Cmdlet(VerbsData.Export, "LogicConnectorMetric", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    public sealed class ExportLogicConnectorMetricCommand : LogicAppAuthCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ResourceGroup")]
        public string? ResourceGroupName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Subscription")]
        public string[]? SubscriptionId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string[]? ResourceId { get; set; }

        /// <summary>Whatever is piped in: a string is a resource id; other objects bind by property name above.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        [Parameter]
        [ValidateRange(1, 2160)]
        public int FirstRunLookbackHours { get; set; } = 24;

        [Parameter]
        public SwitchParameter NoRunHistory { get; set; }

        [Parameter]
        public SwitchParameter NoResourceGraph { get; set; }

        private readonly List<ConnectionScope> scopes = new List<ConnectionScope>();
        private readonly List<string> subscriptions = new List<string>();
        private bool sawInput;

        protected override void ProcessRecord()
        {
            var givenSubscriptions = (SubscriptionId ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
            if (InputObject?.BaseObject is string text)
            {
                ResourceId = new[] { text };
            }

            var ids = (ResourceId ?? Array.Empty<string>()).Where(id => !string.IsNullOrWhiteSpace(id)).ToList();
            if (ids.Count > 0)
            {
                sawInput = true;
                foreach (var id in ids)
                {
                    var trimmed = id.Trim().TrimEnd('/');
                    var bare = trimmed.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) ? trimmed.Substring("/subscriptions/".Length) : trimmed;
                    if (Guid.TryParse(bare, out var subscription))
                    {
                        subscriptions.Add(subscription.ToString("D"));
                    }
                    else
                    {
                        scopes.Add(ConnectionScope.ResourceId(id));
                    }
                }
            }
            else if (!string.IsNullOrWhiteSpace(ResourceGroupName))
            {
                sawInput = true;
                scopes.Add(ConnectionScope.ResourceGroup(ResourceGroupName!, givenSubscriptions));
            }
            else if (givenSubscriptions.Count > 0)
            {
                sawInput = true;
                subscriptions.AddRange(givenSubscriptions);
            }
            else if (InputObject != null)
            {
                sawInput = true;
                WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                    "The input has no ResourceId, Id, ResourceGroupName or SubscriptionId value; it was skipped. Pipe resource ids or objects from Az cmdlets.", InputObject));
            }
        }

        protected override void EndProcessing()
        {
            if (subscriptions.Count > 0)
            {
                scopes.Add(ConnectionScope.Subscriptions(subscriptions.Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
            }

            if (!sawInput)
            {
                scopes.Add(ConnectionScope.All());
            }

            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (Directory.Exists(path))
            {
                WriteError(ErrorRecordFactory.InvalidArgument("PathIsAFolder", $"'{path}' is a folder. Give the path of the .prom file to write, e.g. {System.IO.Path.Combine(path, "logicapps.prom")}.", path));
                return;
            }

            if (!ShouldProcess(path, "Write Logic Apps connector metrics (Prometheus text format)"))
            {
                return;
            }

            var options = new MetricExportOptions
            {
                FirstLookback = TimeSpan.FromHours(FirstRunLookbackHours),
                ReadRunHistory = !NoRunHistory,
                UseResourceGraph = !NoResourceGraph,
            };
            var session = SessionStore.Current;
            Run(path, (sink, token) => new ConnectorMetricsExporter(session, sink, options).ExportAsync(scopes, path, token));
        }
    }
}
