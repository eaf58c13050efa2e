using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.RunHistory;

/// <summary>
/// The one reader of run history: a workflow's failed runs in a time window, their failed actions, the one rule for
/// which of those are authentication failures, and the one rule for which connection an action called. Diagnosis
/// (-IncludeRunHistory) and the Prometheus counter both count through here, so they count the same runs.
/// </summary>
internal sealed class FailedRunReader
{
    private static readonly string[] AuthFailureCodes = { "401", "403", "Unauthorized", "Forbidden" };
    private readonly ArmRestClient _arm;

    public FailedRunReader(ArmRestClient arm)
    {
        _arm = arm;
    }

    /// <summary>
    /// The authentication failures of the failed runs that started after <paramref name="since"/> and no later than
    /// <paramref name="until"/>, newest runs first, from at most <paramref name="maxRuns"/> runs.
    /// </summary>
    public async Task<IReadOnlyList<FailedAction>> ReadAsync(string workflowId, DateTimeOffset since, DateTimeOffset until, int maxRuns, CancellationToken cancellationToken)
    {
        var runs = new List<(string Id, string Name, DateTimeOffset? Start)>();
        var sinceText = since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        string? next = $"{workflowId}/runs?api-version={ApiVersions.Workflows}&$filter=" + Uri.EscapeDataString($"status eq 'Failed' and startTime ge {sinceText}");
        while (!string.IsNullOrEmpty(next) && runs.Count < maxRuns)
        {
            using var page = await _arm.GetAsync(next!, workflowId, cancellationToken).ConfigureAwait(false);
            bool older = false;
            foreach (var run in Json.Items(page.RootElement))
            {
                var start = Json.Date(run, "properties", "startTime");
                if (start != null && start <= since)
                {
                    older = true;
                }
                else if (runs.Count < maxRuns && (start == null || start <= until)
                    && string.Equals(Json.String(run, "properties", "status"), "Failed", StringComparison.OrdinalIgnoreCase))
                {
                    runs.Add((Json.String(run, "id"), Json.String(run, "name"), start));
                }
            }

            next = older ? null : Json.String(page.RootElement, "nextLink");
        }

        var failed = new List<FailedAction>();
        var actionFilter = Uri.EscapeDataString("status eq 'Failed'");
        await Concurrency.ForEachAsync(runs.Where(r => r.Id.Length > 0), async run =>
        {
            var found = new List<FailedAction>();
            await _arm.ListAsync($"{run.Id}/actions?api-version={ApiVersions.Workflows}&$filter={actionFilter}", action =>
            {
                if (string.Equals(Json.String(action, "properties", "status"), "Failed", StringComparison.OrdinalIgnoreCase) && IsAuthFailure(action))
                {
                    var code = Json.String(action, "properties", "code");
                    found.Add(new FailedAction(run.Name, run.Start, Json.String(action, "name"), code.Length > 0 ? code : Json.String(action, "properties", "error", "code"),
                        Json.String(action, "properties", "error", "message")));
                }
            }, run.Id, cancellationToken).ConfigureAwait(false);
            lock (failed)
            {
                failed.AddRange(found);
            }
        }, cancellationToken, 4).ConfigureAwait(false);
        return failed;
    }

    /// <summary>True when a failed action's code or error says the connector refused the caller (401/403) or Entra ID refused the token (AADSTS).</summary>
    public static bool IsAuthFailure(JsonElement action)
    {
        var codes = new[] { Json.String(action, "properties", "code"), Json.String(action, "properties", "error", "code") };
        if (codes.Any(code => AuthFailureCodes.Contains(code, StringComparer.OrdinalIgnoreCase)))
        {
            return true;
        }

        var message = Json.String(action, "properties", "error", "message");
        return message.IndexOf("AADSTS", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("not authorized", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    /// <summary>The failed runs (by run name) in which one of <paramref name="references"/> (of one workflow) made a failed action.</summary>
    public static IReadOnlyList<IGrouping<string, FailedAction>> RunsThrough(IReadOnlyList<FailedAction> failed, IReadOnlyCollection<ConnectionReference> references) =>
        failed.Where(action => references.Any(r => r.Made(action.ActionName))).GroupBy(a => a.RunName, StringComparer.OrdinalIgnoreCase).ToList();
}
