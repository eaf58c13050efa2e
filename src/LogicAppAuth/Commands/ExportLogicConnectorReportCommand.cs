using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Reporting;

namespace LogicAppAuth.Commands;

/// <summary>
/// Writes one self-contained HTML health report from the ConnectorDiagnosis, ConnectorStatus and ExpiringCredential
/// objects piped in, or, given a scope instead (none: every subscription the caller can see), from the diagnosis
/// (Test-LogicConnectorAuth) and credential expiry (Get-ExpiringCredential) of that scope, which it runs itself.
/// The file is written once, at the end, replacing an existing one atomically.
/// </summary>
[Cmdlet(VerbsData.Export, "LogicConnectorReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ScopeSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLogicConnectorReportCommand : PSCmdlet
{
    private const string ScopeSet = "Scope";
    private const string PipelineSet = "Pipeline";
    private static readonly ScriptBlock Scan = ScriptBlock.Create(
        "param([hashtable] $Scope) Test-LogicConnectorAuth @Scope; Get-ExpiringCredential @Scope");

    private readonly HealthReport _report = new HealthReport();

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PipelineSet)]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = ScopeSet)]
    [ValidateNotNullOrEmpty]
    public string? ResourceGroupName { get; set; }

    [Parameter(ParameterSetName = ScopeSet)]
    [ValidateNotNullOrEmpty]
    public string[]? SubscriptionId { get; set; }

    [Parameter(ParameterSetName = ScopeSet)]
    [ValidateNotNullOrEmpty]
    public string[]? ResourceId { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ScopeSet)
        {
            return;
        }

        Add(InputObject);
    }

    private void Add(PSObject? item)
    {
        switch (item?.BaseObject)
        {
            case ConnectorDiagnosis diagnosis: _report.Add(diagnosis); break;
            case ConnectorStatus status: _report.Add(status); break;
            case ExpiringCredential credential: _report.Add(credential); break;
            default:
                WriteError(ErrorRecordFactory.InvalidArgument("UnsupportedReportInput",
                    $"Export-LogicConnectorReport takes the objects of Test-LogicConnectorAuth, Get-LogicConnectorStatus and Get-ExpiringCredential, not {item?.BaseObject?.GetType().FullName ?? "null"}. " +
                    "Pipe those cmdlets' output into it.", item?.BaseObject));
                break;
        }
    }

    /// <summary>Runs the diagnosis and the expiry scan of the scope given (their errors and warnings reach this command's streams).</summary>
    private void ScanScope()
    {
        var scope = new Hashtable();
        foreach (var name in new[] { nameof(ResourceGroupName), nameof(SubscriptionId), nameof(ResourceId) })
        {
            if (MyInvocation.BoundParameters.TryGetValue(name, out var value))
            {
                scope[name] = value;
            }
        }

        foreach (var item in InvokeCommand.InvokeScript(false, Scan, null, scope))
        {
            Add(item);
        }
    }

    protected override void EndProcessing()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);

        if (Directory.Exists(path))
        {
            WriteError(ErrorRecordFactory.InvalidArgument("PathIsAFolder", $"'{path}' is a folder. Give the path of the .html file to write, e.g. {System.IO.Path.Combine(path, "connector-health.html")}.", path));
            return;
        }

        if (ParameterSetName == ScopeSet)
        {
            ScanScope();
        }

        if (!ShouldProcess(path, $"Write the connector health report ({_report.Connections.Count} connections, {_report.Credentials.Count} credentials)"))
        {
            return;
        }

        try
        {
            AtomicFile.Write(path, HtmlReportWriter.Render(_report));
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(new LogicAppAuthException("ReportNotWritten",
                e is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.InvalidArgument,
                $"The report could not be written to '{path}': {e.Message} Give a path in a folder you can write to.", path, e)));
        }

        WriteObject(new FileInfo(path));
    }
}
