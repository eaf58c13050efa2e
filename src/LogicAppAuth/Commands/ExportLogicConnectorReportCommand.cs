using System;
using System.IO;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Reporting;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Writes one self-contained HTML health report from the ConnectorDiagnosis, ConnectorStatus and ExpiringCredential
    /// objects piped in. The file is written once, at the end, replacing an existing one atomically.
    /// </summary>
    [Cmdlet(VerbsData.Export, "LogicConnectorReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportLogicConnectorReportCommand : PSCmdlet
    {
        private readonly HealthReport report = new HealthReport();

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        protected override void ProcessRecord()
        {
            switch (InputObject?.BaseObject)
            {
                case ConnectorDiagnosis diagnosis: report.Add(diagnosis); break;
                case ConnectorStatus status: report.Add(status); break;
                case ExpiringCredential credential: report.Add(credential); break;
                default:
                    WriteError(ErrorRecordFactory.InvalidArgument("UnsupportedReportInput",
                        $"Export-LogicConnectorReport takes the objects of Test-LogicConnectorAuth, Get-LogicConnectorStatus and Get-ExpiringCredential, not {InputObject?.BaseObject?.GetType().FullName ?? "null"}. " +
                        "Pipe those cmdlets' output into it.", InputObject?.BaseObject));
                    break;
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

            if (!ShouldProcess(path, $"Write the connector health report ({report.Connections.Count} connections, {report.Credentials.Count} credentials)"))
            {
                return;
            }

            try
            {
                AtomicFile.Write(path, HtmlReportWriter.Render(report));
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
}
