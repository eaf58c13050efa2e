using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Scenarios;

/// <summary>
/// Gives every Consumption workflow a run history (Microsoft.Logic/workflows/runs and their actions)
/// that matches the state of the connections it uses, dated relative to the sandbox's start: a daily
/// run for the last six days plus one ten days ago. A run whose ApiConnection action meets a broken
/// connection fails with the connector's status (Unauthorized; Forbidden when a managed identity lacks
/// its data role); the ten-day-old run and every run of a healthy workflow succeeded.
/// </summary>
public static partial class RunHistorySeeder
{
    public const string RunType = "Microsoft.Logic/workflows/runs";
    public const string ActionType = "Microsoft.Logic/workflows/runs/actions";

    private static readonly double[] HoursAgo = [3, 27, 51, 75, 99, 123, 240];

    /// <summary>Per connector: the resource type it reaches with a managed identity and the data action it needs.</summary>
    private static readonly Dictionary<string, (string ResourceType, string DataAction, string Claim)> ManagedIdentityTargets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["servicebus"] = ("Microsoft.ServiceBus/namespaces", "Microsoft.ServiceBus/namespaces/messages/send/action", "Send"),
        ["azureblob"] = ("Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "blob read"),
        ["keyvault"] = ("Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/secrets/getSecret/action", "secrets get"),
        ["eventhubs"] = ("Microsoft.EventHub/namespaces", "Microsoft.EventHub/namespaces/messages/send/action", "Send"),
    };

    /// <summary>Scenarios up to this many workflows get their history at load (so it reflects the state
    /// they start in); larger, generated ones get each workflow's history when it is first asked for.</summary>
    public const int EagerLimit = 200;

    public static void Seed(SandboxState state)
    {
        var workflows = state.Store.OfType("Microsoft.Logic/workflows").ToList();
        if (workflows.Count > EagerLimit)
        {
            return;
        }

        foreach (var workflow in workflows)
        {
            SeedWorkflow(state, workflow);
        }
    }

    /// <summary>Seeds one workflow's history unless it already has one.</summary>
    public static void EnsureSeeded(SandboxState state, string workflowId)
    {
        if (state.Runtime.MarkRunHistorySeeded(workflowId) && state.Store.Get(workflowId) is { } workflow)
        {
            SeedWorkflow(state, workflow);
        }
    }

    private static void SeedWorkflow(SandboxState state, JsonObject workflow)
    {
        state.Runtime.MarkRunHistorySeeded((string)workflow["id"]!);
        var start = state.Clock.Anchor;
        var outcomes = ActionOutcomes(state, workflow);
        var minutes = (int)(ScenarioSeeder.DeterministicGuid((string?)workflow["name"] ?? "").ToByteArray()[0] % 50);
        for (var i = 0; i < HoursAgo.Length; i++)
        {
            var runStart = start.AddHours(-HoursAgo[i]).AddMinutes(-minutes);
            var olderThanBreak = i == HoursAgo.Length - 1;
            foreach (var document in RunDocuments(workflow, runStart, outcomes, olderThanBreak, i))
            {
                state.Store.Put(document);
            }
        }
    }

    private sealed record Outcome(string Action, string Status, string Code, JsonObject? Error);

    private static List<Outcome> ActionOutcomes(SandboxState state, JsonObject workflow)
    {
        var properties = workflow["properties"];
        var references = properties?["parameters"]?["$connections"]?["value"] as JsonObject ?? new JsonObject();
        var actions = properties?["definition"]?["actions"] as JsonObject ?? new JsonObject();
        var outcomes = new List<Outcome>();
        var failed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, action) in actions)
        {
            var runAfter = action?["runAfter"] as JsonObject;
            if (runAfter is not null && runAfter.Any(r => failed.Contains(r.Key)))
            {
                outcomes.Add(new Outcome(name, "Skipped", "ActionSkipped", new JsonObject
                {
                    ["code"] = "ActionConditionFailed",
                    ["message"] = $"The execution of template action '{name}' is skipped: the 'runAfter' condition for action '{runAfter.First().Key}' is not satisfied. Expected status values 'Succeeded' and actual value 'Failed'.",
                }));
                failed.Add(name);
                continue;
            }

            var connectionName = (string?)action?["inputs"]?["host"]?["connection"]?["name"];
            var reference = connectionName is null ? null : ReferenceName().Match(connectionName) is { Success: true } m ? m.Groups["ref"].Value : null;
            var connectionId = reference is null ? null : (string?)references[reference]?["connectionId"];
            var outcome = connectionId is null ? null : Evaluate(state, workflow, connectionId);
            if (outcome is null)
            {
                outcomes.Add(new Outcome(name, "Succeeded", "OK", null));
                continue;
            }

            outcomes.Add(outcome with { Action = name });
            failed.Add(name);
        }

        return outcomes;
    }

    /// <summary>The failure a call through the connection meets at runtime; null when it works.</summary>
    private static Outcome? Evaluate(SandboxState state, JsonObject workflow, string connectionId)
    {
        var connection = state.Store.Get(connectionId);
        var connectionName = connectionId[(connectionId.LastIndexOf('/') + 1)..];
        if (connection is null)
        {
            return Failure("NotFound", "ApiConnectionNotFound", $"The API connection '{connectionName}' could not be found. It may have been deleted.");
        }

        if (ConnectionHealth.UsesManagedIdentity(connection))
        {
            var principalId = (string?)workflow["identity"]?["principalId"];
            if (string.IsNullOrEmpty(principalId))
            {
                return Failure("Unauthorized", "Unauthorized",
                    $"The API connection '{connectionName}' is configured to use managed identity authentication, but the workflow '{workflow["name"]}' does not have a managed identity enabled.");
            }

            var api = (string?)connection["properties"]?["api"]?["name"] ?? "";
            if (ManagedIdentityTargets.TryGetValue(api, out var target))
            {
                var subscription = ArmPath.Parse((string)workflow["id"]!).SubscriptionScope + "/";
                var resources = state.Store.ListOfTypeUnder(subscription, target.ResourceType);
                var hasRole = resources.Any(r => state.Rbac.IsAllowed(principalId, target.DataAction, (string)r["id"]!, dataAction: true));
                if (!hasRole)
                {
                    var resource = resources.FirstOrDefault();
                    var resourceName = (string?)resource?["name"] ?? api;
                    return Failure("Forbidden", "Forbidden",
                        $"Unauthorized access. '{target.Claim}' claim(s) are required to perform this operation. Resource: '{resourceName}'. " +
                        $"The principal '{principalId}' has no role assignment that grants '{target.DataAction}'.");
                }
            }

            return null;
        }

        var health = ConnectionHealth.Evaluate(state, connection);
        return health.Ok ? null : Failure("Unauthorized", "Unauthorized", health.Message);
    }

    private static Outcome Failure(string actionCode, string errorCode, string message) =>
        new("", "Failed", actionCode, new JsonObject { ["code"] = errorCode, ["message"] = message });

    private static IEnumerable<JsonObject> RunDocuments(JsonObject workflow, DateTimeOffset start, List<Outcome> outcomes, bool beforeBreak, int index)
    {
        var workflowId = (string)workflow["id"]!;
        var version = (string?)workflow["properties"]?["version"] ?? "08585000000000000000";
        var trigger = (workflow["properties"]?["definition"]?["triggers"] as JsonObject)?.FirstOrDefault().Key ?? "manual";
        var runName = RunName(workflowId, start, index);
        var runId = $"{workflowId}/runs/{runName}";
        var clientTrackingId = runName;
        var effective = beforeBreak ? outcomes.Select(o => o with { Status = "Succeeded", Code = "OK", Error = null }).ToList() : outcomes;
        var failed = effective.Any(o => o.Status == "Failed");
        var end = start.AddSeconds(1.5 + effective.Count);

        var run = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["waitEndTime"] = Time(start),
                ["startTime"] = Time(start),
                ["endTime"] = Time(end),
                ["status"] = failed ? "Failed" : "Succeeded",
                ["correlation"] = new JsonObject { ["clientTrackingId"] = clientTrackingId },
                ["workflow"] = new JsonObject
                {
                    ["id"] = $"{workflowId}/versions/{version}",
                    ["name"] = version,
                    ["type"] = "Microsoft.Logic/workflows/versions",
                },
                ["trigger"] = new JsonObject
                {
                    ["name"] = trigger,
                    ["startTime"] = Time(start.AddMilliseconds(-120)),
                    ["endTime"] = Time(start.AddMilliseconds(-110)),
                    ["scheduledTime"] = Time(start.AddMilliseconds(-150)),
                    ["correlation"] = new JsonObject { ["clientTrackingId"] = clientTrackingId },
                    ["code"] = "OK",
                    ["status"] = "Succeeded",
                },
                ["outputs"] = new JsonObject(),
            },
            ["id"] = runId,
            ["name"] = runName,
            ["type"] = RunType,
        };
        if (failed)
        {
            var properties = (JsonObject)run["properties"]!;
            var error = new JsonObject { ["code"] = "ActionFailed", ["message"] = "An action failed. No dependent actions succeeded." };
            properties.Insert(4, "code", "ActionFailed");
            properties.Insert(5, "error", error);
        }

        yield return run;

        var actionStart = start.AddMilliseconds(200);
        foreach (var outcome in effective)
        {
            var actionProperties = new JsonObject
            {
                ["startTime"] = Time(actionStart),
                ["endTime"] = Time(actionStart.AddMilliseconds(outcome.Status == "Skipped" ? 0 : 850)),
                ["correlation"] = new JsonObject
                {
                    ["actionTrackingId"] = ScenarioSeeder.DeterministicGuid($"{runId}|{outcome.Action}").ToString(),
                    ["clientTrackingId"] = clientTrackingId,
                },
                ["status"] = outcome.Status,
                ["code"] = outcome.Code,
            };
            if (outcome.Error is not null)
            {
                actionProperties["error"] = outcome.Error.DeepClone();
            }

            yield return new JsonObject
            {
                ["properties"] = actionProperties,
                ["id"] = $"{runId}/actions/{outcome.Action}",
                ["name"] = outcome.Action,
                ["type"] = ActionType,
            };
            actionStart = actionStart.AddSeconds(1);
        }
    }

    /// <summary>Run names look like the service's: 29 characters, digits then "CU" and two digits.</summary>
    private static string RunName(string workflowId, DateTimeOffset start, int index)
    {
        var reverseTicks = (DateTimeOffset.MaxValue.UtcTicks - start.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)[..19];
        var salt = ScenarioSeeder.DeterministicGuid($"{workflowId}|{index}").ToString("N");
        var digits = string.Concat(salt.Where(char.IsDigit)).PadRight(6, '0');
        return "0858" + reverseTicks[4..] + digits[..6] + "CU" + (10 + index).ToString(CultureInfo.InvariantCulture);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\['(?<ref>[^']+)'\]\['connectionId'\]")]
    private static partial Regex ReferenceName();
}
