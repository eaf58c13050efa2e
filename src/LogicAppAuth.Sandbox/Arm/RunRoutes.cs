using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Run history lists of Consumption workflows with the service's <c>$filter</c>:
/// <c>GET .../workflows/{wf}/runs?$filter=status eq 'Failed' and startTime ge 2026-11-22T00:00:00Z</c>
/// (fields Status, StartTime, ClientTrackingId, any casing; <c>and</c>), and
/// <c>GET .../runs/{run}/actions?$filter=status eq 'Failed'</c>; newest run first, <c>$top</c> and nextLink.
/// Single runs and actions are plain document reads.
/// </summary>
public static partial class RunRoutes
{
    public static IResult? TryHandle(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return null;
        }

        var type = path.ResourceType;
        var isRuns = type.Equals(RunHistorySeeder.RunType, StringComparison.OrdinalIgnoreCase);
        var isActions = type.Equals(RunHistorySeeder.ActionType, StringComparison.OrdinalIgnoreCase);
        if (!isRuns && !isActions)
        {
            return null;
        }

        var workflowIndex = Array.FindLastIndex(path.Segments, s => s.Equals("workflows", StringComparison.OrdinalIgnoreCase));
        if (workflowIndex > 0 && workflowIndex + 1 < path.Segments.Length)
        {
            RunHistorySeeder.EnsureSeeded(state, "/" + string.Join('/', path.Segments[..(workflowIndex + 2)]));
        }

        if (!path.IsCollection)
        {
            // One run or action: the generic document read answers it.
            return null;
        }

        if (ArmRoutes.Authorize(state, caller, type + "/read", path.Path) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        var parent = ArmPath.Parent(path.Path);
        var workflowId = isRuns ? parent : ArmPath.Parent(ArmPath.Parent(parent));
        if (!state.Store.Exists(workflowId))
        {
            return ArmApi.NotFound(workflowId);
        }

        if (isActions && !state.Store.Exists(parent))
        {
            return ArmErrors.Error(404, "WorkflowRunNotFound", $"The workflow '{ArmPath.Parse(workflowId).Segments[^1]}' run '{ArmPath.Parse(parent).Segments[^1]}' could not be found.");
        }

        Func<JsonObject, bool> predicate;
        try
        {
            predicate = Filter(context.Request.Query["$filter"].ToString(), isRuns);
        }
        catch (FormatException e)
        {
            return ArmErrors.Error(400, "InvalidFilterQuery", e.Message);
        }

        var items = state.Store.ListCollection(path.Path).Where(predicate);
        items = isRuns
            ? items.OrderByDescending(r => (string?)r["properties"]?["startTime"], StringComparer.Ordinal)
            : items.OrderBy(a => (string?)a["properties"]?["startTime"], StringComparer.Ordinal);
        return Results.Json(Paging.ArmList(context, items.ToList(), state.Options.ArmPageSize));
    }

    private static Func<JsonObject, bool> Filter(string filter, bool isRuns)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return _ => true;
        }

        var clauses = new List<Func<JsonObject, bool>>();
        foreach (var clause in AndSplit().Split(filter.Trim()))
        {
            var text = clause.Trim().TrimStart('(').TrimEnd(')').Trim();
            if (StatusClause().Match(text) is { Success: true } status)
            {
                var expected = status.Groups["value"].Value;
                var negate = status.Groups["op"].Value.Equals("ne", StringComparison.OrdinalIgnoreCase);
                clauses.Add(item => string.Equals((string?)item["properties"]?["status"], expected, StringComparison.OrdinalIgnoreCase) != negate);
            }
            else if (isRuns && StartTimeClause().Match(text) is { Success: true } time
                     && DateTimeOffset.TryParse(time.Groups["value"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var bound))
            {
                var op = time.Groups["op"].Value.ToLowerInvariant();
                clauses.Add(item =>
                {
                    if (!DateTimeOffset.TryParse((string?)item["properties"]?["startTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started))
                    {
                        return false;
                    }

                    return op switch
                    {
                        "ge" => started >= bound,
                        "gt" => started > bound,
                        "le" => started <= bound,
                        "lt" => started < bound,
                        _ => started == bound,
                    };
                });
            }
            else if (isRuns && TrackingClause().Match(text) is { Success: true } tracking)
            {
                var expected = tracking.Groups["value"].Value;
                clauses.Add(item => string.Equals((string?)item["properties"]?["correlation"]?["clientTrackingId"], expected, StringComparison.OrdinalIgnoreCase));
            }
            else
            {
                throw new FormatException(isRuns
                    ? $"The $filter '{filter}' is not valid. Supported are Status eq|ne '<status>', StartTime ge|gt|le|lt|eq <dateTime>, ClientTrackingId eq '<id>', joined with 'and'."
                    : $"The $filter '{filter}' is not valid. Supported is Status eq|ne '<status>'.");
            }
        }

        return item => clauses.All(c => c(item));
    }

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndSplit();

    [GeneratedRegex(@"^status\s+(?<op>eq|ne)\s+'(?<value>[A-Za-z]+)'$", RegexOptions.IgnoreCase)]
    private static partial Regex StatusClause();

    [GeneratedRegex(@"^startTime\s+(?<op>ge|gt|le|lt|eq)\s+(?:datetime)?'?(?<value>[0-9T:\.\-+Z]+)'?$", RegexOptions.IgnoreCase)]
    private static partial Regex StartTimeClause();

    [GeneratedRegex(@"^clientTrackingId\s+eq\s+'(?<value>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex TrackingClause();
}
