using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Monitor;

/// <summary>
/// Azure Monitor metric alert rules (<c>Microsoft.Insights/metricAlerts</c>, api-version 2018-03-01): PUT creates
/// (201) or replaces (200) a rule after the checks Azure makes (location, severity 0..4, ISO 8601 frequency and
/// window, scopes that exist, at least one criterion, action group ids); DELETE removes it. GET and lists are plain
/// document reads by <see cref="ArmApi"/> once a rule is stored.
/// </summary>
public static class MetricAlertRoutes
{
    public const string AlertType = "Microsoft.Insights/metricAlerts";
    private static readonly string[] Frequencies = ["PT1M", "PT5M", "PT15M", "PT30M", "PT1H"];
    private static readonly string[] Windows = ["PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D"];

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var method = context.Request.Method;
        if (!(HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)) || path.IsCollection || path.ResourceGroupName is null
            || !path.ResourceType.Equals(AlertType, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var action = AlertType + (HttpMethods.IsDelete(method) ? "/delete" : "/write");
        if (ArmRoutes.Authorize(state, caller, action, path.Path) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        var existing = state.Store.Get(path.Path);
        if (HttpMethods.IsDelete(method))
        {
            return existing is not null && state.Store.Remove(path.Path) ? Results.Ok() : Results.NoContent();
        }

        var (body, error) = await ArmRoutes.ReadBodyAsync(context);
        if (body is null)
        {
            return error!;
        }

        if (Validate(state, body) is { } invalid)
        {
            return invalid;
        }

        var name = path.Segments[^1];
        var properties = (JsonObject)body["properties"]!.DeepClone();
        properties["lastUpdatedTime"] = state.Clock.NowText();
        properties["isMigrated"] = false;
        var document = new JsonObject
        {
            ["id"] = (string?)existing?["id"] ?? path.Path,
            ["name"] = name,
            ["type"] = AlertType,
            ["location"] = body["location"]!.DeepClone(),
            ["tags"] = body["tags"]?.DeepClone() ?? new JsonObject(),
            ["properties"] = properties,
        };
        state.Store.Put(document);
        return Results.Json(document.DeepClone(), statusCode: existing is null ? 201 : 200);
    }

    private static IResult? Validate(SandboxState state, JsonObject body)
    {
        if (string.IsNullOrEmpty((string?)body["location"]))
        {
            return Bad("LocationRequired", "The location property is required for this definition.");
        }

        if (body["properties"] is not JsonObject properties)
        {
            return Bad("InvalidRequestContent", "The request content must contain 'properties'.");
        }

        var severity = properties["severity"] is JsonValue s && s.TryGetValue<int>(out var value) ? value : -1;
        if (severity is < 0 or > 4)
        {
            return Bad("BadRequest", "Severity must be an integer between 0 and 4.");
        }

        if (!Frequencies.Contains((string?)properties["evaluationFrequency"] ?? "", StringComparer.OrdinalIgnoreCase))
        {
            return Bad("BadRequest", $"evaluationFrequency must be one of {string.Join(", ", Frequencies)}.");
        }

        if (!Windows.Contains((string?)properties["windowSize"] ?? "", StringComparer.OrdinalIgnoreCase))
        {
            return Bad("BadRequest", $"windowSize must be one of {string.Join(", ", Windows)}.");
        }

        if (properties["scopes"] is not JsonArray scopes || scopes.Count == 0)
        {
            return Bad("BadRequest", "At least one scope is required.");
        }

        foreach (var scope in scopes.Select(x => (string?)x ?? ""))
        {
            if (!state.Store.Exists(scope))
            {
                return Bad("ResourceNotFound", $"The scope '{scope}' of the alert rule was not found.");
            }
        }

        if (properties["criteria"] is not JsonObject criteria || string.IsNullOrEmpty((string?)criteria["odata.type"])
            || criteria["allOf"] is not JsonArray allOf || allOf.Count == 0)
        {
            return Bad("BadRequest", "criteria with odata.type and at least one allOf criterion is required.");
        }

        foreach (var criterion in allOf.OfType<JsonObject>())
        {
            if (string.IsNullOrEmpty((string?)criterion["metricName"]) || string.IsNullOrEmpty((string?)criterion["operator"])
                || string.IsNullOrEmpty((string?)criterion["timeAggregation"]) || criterion["threshold"] is null)
            {
                return Bad("BadRequest", "Each criterion needs metricName, operator, threshold and timeAggregation.");
            }
        }

        if (properties["actions"] is JsonArray actions)
        {
            foreach (var actionGroup in actions.OfType<JsonObject>().Select(a => (string?)a["actionGroupId"] ?? ""))
            {
                if (!actionGroup.Contains("/providers/microsoft.insights/actiongroups/", StringComparison.OrdinalIgnoreCase))
                {
                    return Bad("BadRequest", $"'{actionGroup}' is not an action group resource id.");
                }
            }
        }

        return null;
    }

    private static IResult Bad(string code, string message) => ArmErrors.Error(code == "ResourceNotFound" ? 404 : 400, code, message);
}
