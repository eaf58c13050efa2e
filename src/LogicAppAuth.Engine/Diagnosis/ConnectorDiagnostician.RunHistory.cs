using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.RunHistory;

namespace LogicAppAuth.Engine.Diagnosis;

public sealed partial class ConnectorDiagnostician
{
    /// <summary>-IncludeRunHistory: failed runs of the workflows using the connection in which a call through it failed to authenticate.</summary>
    private async Task ScanRunsAsync(InventoryEntry work, DiagnosisFindings findings, ConnectorDiagnosis result, CancellationToken cancellationToken)
    {
        if (work.References.Any(u => u.IsStandardApp))
        {
            findings.Note("run history of Standard apps is not read");
        }

        int runs = 0;
        FailedAction? latest = null;
        string latestWorkflow = "";
        bool scanned = false;
        foreach (var workflow in work.References.Where(u => !u.IsStandardApp).GroupBy(u => u.ResourceId, StringComparer.OrdinalIgnoreCase))
        {
            var name = workflow.First().Name;
            IReadOnlyList<FailedAction> failed;
            try
            {
                failed = await _runScans.GetAsync(workflow.Key, () =>
                    new FailedRunReader(_arm).ReadAsync(workflow.Key, _options.Since, DateTimeOffset.MaxValue, _options.MaxRunsPerWorkflow, cancellationToken)).ConfigureAwait(false);
                scanned = true;
            }
            catch (LogicAppAuthException e)
            {
                findings.Skip("run history", $"runs of {name} not readable ({e.HttpStatus} {e.ErrorId})");
                if (e.HttpStatus == 403)
                {
                    Warn("runs:403", $"Workflow run history could not be read ({e.HttpStatus} {e.ErrorId}); -IncludeRunHistory found nothing there. Reader on the workflows is enough.");
                }

                continue;
            }

            foreach (var run in FailedRunReader.RunsThrough(failed, workflow.ToList()))
            {
                runs++;
                var first = run.First();
                if (latest == null || first.RunStart > latest.RunStart)
                {
                    latest = first;
                    latestWorkflow = name;
                }
            }
        }

        if (!scanned)
        {
            return;
        }

        string example = "";
        if (latest != null)
        {
            example = $"{latestWorkflow}/{latest.ActionName}: {latest.Code}" + (latest.Message.Length > 0 ? $" '{StatusClassifier.Shorten(latest.Message, 100)}'" : "");
            var finding = StatusClassifier.Classify(latest.Code, latest.Message, $"last failed run {latest.RunName} {latestWorkflow}/{latest.ActionName}");
            if (finding.Cause != DiagnosisCause.None && finding.Cause != DiagnosisCause.Unknown && finding.Aadsts.Length > 0)
            {
                findings.Add(finding.Cause, finding.Evidence);
            }
        }

        result.FailedRunCount = runs;
        result.LastFailedRunTime = latest?.RunStart;
        var since = _options.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
        if (runs > 0)
        {
            findings.Failure($"run history: {runs} failed run(s) with 401/403 on this connection since {since}, last {Date(latest?.RunStart)} ({example})");
        }
        else
        {
            findings.Note($"run history: no 401/403 failures on this connection since {since}");
        }
    }
}
