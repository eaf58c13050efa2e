using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Expiry;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Monitoring;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Writes the connector metrics of a scope to a Prometheus textfile (for node_exporter's textfile collector), atomically.
/// Scopes piped in are gathered and read at the end; the file is written once.
/// </summary>
[Cmdlet(VerbsData.Export, "LogicConnectorMetric", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class ExportLogicConnectorMetricCommand : ConnectionScopeCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 2160)]
    public int FirstRunLookbackHours { get; set; } = 24;

    [Parameter]
    public SwitchParameter NoRunHistory { get; set; }

    private readonly List<ConnectionScope> _scopes = new List<ConnectionScope>();

    protected override void ProcessRecord() => _scopes.AddRange(ReadScopes());

    protected override void EndProcessing()
    {
        _scopes.AddRange(FinalScopes());

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
            ConnectionFilter = MatchesFilters,
        };
        var session = Session;
        Run(path, (sink, token) => new ConnectorMetricsExporter(session, sink, options).ExportAsync(_scopes, path, token));
    }
}
