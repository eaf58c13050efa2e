using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Remediation;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Monitoring;

/// <summary>The alert New-LogicConnectorAlert asks for: step 10 of the troubleshooting guide, RunsFailed &gt; 0 over PT5M.</summary>
public sealed class MetricAlertRequest
{
    public const string ApiVersion = Arm.ApiVersions.MetricAlerts;

    public IReadOnlyList<string> ActionGroupIds { get; set; } = Array.Empty<string>();
    public int Severity { get; set; } = 3;
    public string WindowSize { get; set; } = "PT5M";
    public string EvaluationFrequency { get; set; } = "PT1M";

    /// <summary>The rule name; "{0}" is replaced by the workflow name.</summary>
    public string NameFormat { get; set; } = "{0}-runs-failed";

    public string? Description { get; set; }
}

/// <summary>What a rule needs: created, updated (with the properties that differ) or nothing (already identical).</summary>
public sealed class MetricAlertPlan
{
    internal MetricAlertPlan(ConnectorAlert alert, string body, string readAs, string etag)
    {
        Alert = alert;
        Body = body;
        ReadAs = readAs;
        ETag = etag;
    }

    public ConnectorAlert Alert { get; }

    /// <summary>"Created", "Updated" or "Unchanged".</summary>
    public string Action => Alert.Action;

    public bool NeedsWrite => Action != "Unchanged";

    /// <summary>What -WhatIf prints: the rule's condition and, for an update, the properties that change.</summary>
    public string Description => Action == "Created"
        ? $"Create metric alert rule '{Alert.Name}': {Alert.Condition}, severity {Alert.Severity}, actions [{Alert.ActionGroupId}]"
        : $"Update metric alert rule '{Alert.Name}' ({Alert.Changes}): {Alert.Condition}, severity {Alert.Severity}, actions [{Alert.ActionGroupId}]";

    internal string Body { get; }

    /// <summary>The rule as planned against: the fingerprint of its text, or "" when it did not exist.</summary>
    internal string ReadAs { get; }

    internal string ETag { get; }
}

/// <summary>
/// Creates or updates the Azure Monitor metric alert on a Consumption workflow's RunsFailed metric. Planning reads the
/// workflow and any existing rule of the same name; an identical rule means no write. An update keeps every property
/// of the existing rule that the request does not set (tags, custom properties, webhook properties).
/// </summary>
public sealed class MetricAlertWriter
{
    private const string MetricName = "RunsFailed";
    private const string Operator = "GreaterThan";
    private const string Aggregation = "Total";
    private readonly ArmRestClient _arm;
    private readonly MetricAlertRequest _request;

    public MetricAlertWriter(AzureSession session, IOperationSink sink, MetricAlertRequest request)
    {
        _arm = session.Arm(sink);
        _request = request;
    }

    public async Task<MetricAlertPlan> PlanAsync(string workflowResourceId, CancellationToken cancellationToken)
    {
        var workflow = AzureResourceId.Parse(workflowResourceId);
        if (!workflow.IsType(AzureResourceId.WorkflowType))
        {
            throw new LogicAppAuthException("NotAConsumptionWorkflow", FailureKind.InvalidArgument,
                $"'{workflow.Id}' is a {workflow.ResourceType}; the RunsFailed alert applies to Consumption logic apps (Microsoft.Logic/workflows). Pipe Get-AzLogicApp output or workflow ids.",
                workflowResourceId);
        }

        foreach (var actionGroup in _request.ActionGroupIds)
        {
            var parsed = AzureResourceId.Parse(actionGroup);
            if (!parsed.IsType("Microsoft.Insights/actionGroups"))
            {
                throw new LogicAppAuthException("InvalidActionGroupId", FailureKind.InvalidArgument,
                    $"'{actionGroup}' is not an action group id (/subscriptions/<id>/resourceGroups/<group>/providers/microsoft.insights/actionGroups/<name>).", actionGroup);
            }
        }

        using (await _arm.GetAsync($"{workflow.Id}?api-version={ApiVersions.Workflows}", workflow.Id, cancellationToken).ConfigureAwait(false))
        {
        }

        var name = string.Format(CultureInfo.InvariantCulture, _request.NameFormat, workflow.Name);
        var ruleId = $"{AzureResourceId.ResourceGroup(workflow.SubscriptionId, workflow.ResourceGroupName)}/providers/Microsoft.Insights/metricAlerts/{name}";
        var (existing, readAs) = await ReadRuleAsync(ruleId, cancellationToken).ConfigureAwait(false);

        var desired = DesiredProperties(workflow);
        var changes = existing == null ? new List<string>() : Differences(desired, existing["properties"] as JsonObject ?? new JsonObject());
        var action = existing == null ? "Created" : changes.Count == 0 ? "Unchanged" : "Updated";
        var body = existing == null ? NewBody(desired) : Merge(existing, desired);
        var alert = new ConnectorAlert
        {
            ResourceId = ruleId,
            SubscriptionId = workflow.SubscriptionId,
            ResourceGroupName = workflow.ResourceGroupName,
            Name = name,
            Action = action,
            Changes = string.Join(";", changes),
            WorkflowId = workflow.Id,
            WorkflowName = workflow.Name,
            MetricName = MetricName,
            Condition = $"{MetricName} {Aggregation} > 0 over {_request.WindowSize}, every {_request.EvaluationFrequency}",
            Severity = _request.Severity,
            WindowSize = _request.WindowSize,
            EvaluationFrequency = _request.EvaluationFrequency,
            Enabled = true,
            ActionGroupId = string.Join(";", _request.ActionGroupIds),
        };
        return new MetricAlertPlan(alert, body.ToJsonString(), readAs, existing?["etag"]?.GetValue<string>() ?? "");
    }

    /// <summary>Sends the PUT a plan needs (none when the rule is unchanged) and returns the rule as it now is.</summary>
    public async Task<ConnectorAlert> ApplyAsync(MetricAlertPlan plan, CancellationToken cancellationToken)
    {
        if (plan.NeedsWrite)
        {
            var ruleId = plan.Alert.ResourceId;
            var (_, now) = await ReadRuleAsync(ruleId, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(now, plan.ReadAs, StringComparison.Ordinal))
            {
                throw RemediationPlan.ConcurrentChange(ruleId, plan.ReadAs.Length == 0 ? "it was created by someone else in between" : "its content changed between the read and the write");
            }

            try
            {
                using var _ = await _arm.PutAsync($"{ruleId}?api-version={MetricAlertRequest.ApiVersion}", plan.Body, ruleId, cancellationToken,
                    plan.ETag.Length > 0 ? plan.ETag : null).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 412)
            {
                throw RemediationPlan.ConcurrentChange(ruleId, "its ETag changed between the read and the write", e);
            }
        }

        return plan.Alert;
    }

    /// <summary>The rule as it is now and the fingerprint of its text (metric alerts have no changedTime); (null, "") when there is none.</summary>
    private async Task<(JsonObject? Rule, string Fingerprint)> ReadRuleAsync(string ruleId, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await _arm.GetAsync($"{ruleId}?api-version={MetricAlertRequest.ApiVersion}", ruleId, cancellationToken).ConfigureAwait(false);
            var text = document.RootElement.GetRawText();
            return (JsonNode.Parse(text) as JsonObject, AppConnectionsFile.Fingerprint(text));
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404)
        {
            return (null, "");
        }
    }

    private JsonObject DesiredProperties(AzureResourceId workflow)
    {
        var actions = new JsonArray();
        foreach (var id in _request.ActionGroupIds)
        {
            actions.Add(new JsonObject { ["actionGroupId"] = id, ["webHookProperties"] = new JsonObject() });
        }

        return new JsonObject
        {
            ["description"] = _request.Description ?? $"Runs of {workflow.Name} failed (RunsFailed > 0 in {_request.WindowSize}); check its connections with Test-LogicConnectorAuth.",
            ["severity"] = _request.Severity,
            ["enabled"] = true,
            ["scopes"] = new JsonArray(workflow.Id),
            ["evaluationFrequency"] = _request.EvaluationFrequency,
            ["windowSize"] = _request.WindowSize,
            ["criteria"] = new JsonObject
            {
                ["odata.type"] = "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                ["allOf"] = new JsonArray(new JsonObject
                {
                    ["criterionType"] = "StaticThresholdCriterion",
                    ["name"] = MetricName,
                    ["metricName"] = MetricName,
                    ["metricNamespace"] = AzureResourceId.WorkflowType,
                    ["dimensions"] = new JsonArray(),
                    ["operator"] = Operator,
                    ["threshold"] = 0,
                    ["timeAggregation"] = Aggregation,
                }),
            },
            ["autoMitigate"] = true,
            ["actions"] = actions,
        };
    }

    private static JsonObject NewBody(JsonObject properties) => new JsonObject
    {
        ["location"] = "global",
        ["tags"] = new JsonObject(),
        ["properties"] = properties,
    };

    /// <summary>The existing rule with the desired properties laid over it; read-only properties are dropped.</summary>
    private static JsonObject Merge(JsonObject existing, JsonObject desired)
    {
        var body = (JsonObject)existing.DeepClone();
        foreach (var readOnly in new[] { "id", "name", "type", "etag" })
        {
            body.Remove(readOnly);
        }

        var properties = body["properties"] as JsonObject ?? new JsonObject();
        foreach (var readOnly in new[] { "lastUpdatedTime", "isMigrated", "provisioningState" })
        {
            properties.Remove(readOnly);
        }

        foreach (var pair in desired.ToList())
        {
            properties[pair.Key] = pair.Value?.DeepClone();
        }

        body["properties"] = properties;
        if (body["location"] == null)
        {
            body["location"] = "global";
        }

        return body;
    }

    /// <summary>The properties whose meaning differs (case-insensitive ids and enums, the criterion's fields, the set of action groups).</summary>
    private static List<string> Differences(JsonObject desired, JsonObject existing)
    {
        var changes = new List<string>();
        void Compare(string name, string want, string have)
        {
            if (!string.Equals(want, have, StringComparison.OrdinalIgnoreCase))
            {
                changes.Add(name);
            }
        }

        Compare("description", Text(desired["description"]), Text(existing["description"]));
        Compare("severity", Text(desired["severity"]), Text(existing["severity"]));
        Compare("enabled", Text(desired["enabled"]), Text(existing["enabled"]));
        Compare("scopes", Set(desired["scopes"], n => Text(n)), Set(existing["scopes"], n => Text(n)));
        Compare("evaluationFrequency", Text(desired["evaluationFrequency"]), Text(existing["evaluationFrequency"]));
        Compare("windowSize", Text(desired["windowSize"]), Text(existing["windowSize"]));
        Compare("autoMitigate", Text(desired["autoMitigate"]), Text(existing["autoMitigate"] ?? JsonValue.Create(true)));
        Compare("criteria", Criteria(desired["criteria"]), Criteria(existing["criteria"]));
        Compare("actions", Set(desired["actions"], n => Text(n?["actionGroupId"])), Set(existing["actions"], n => Text(n?["actionGroupId"])));
        return changes;
    }

    private static string Criteria(JsonNode? criteria)
    {
        var allOf = criteria?["allOf"] as JsonArray;
        var parts = (allOf ?? new JsonArray()).Select(c => string.Join("|",
            Text(c?["metricName"]), Text(c?["metricNamespace"]).Length == 0 ? AzureResourceId.WorkflowType : Text(c?["metricNamespace"]),
            Text(c?["operator"]), Number(c?["threshold"]), Text(c?["timeAggregation"]), (c?["dimensions"] as JsonArray)?.Count ?? 0));
        return Text(criteria?["odata.type"]) + ":" + string.Join(",", parts.OrderBy(p => p, StringComparer.OrdinalIgnoreCase));
    }

    private static string Set(JsonNode? array, Func<JsonNode?, string> key) =>
        string.Join(",", ((array as JsonArray) ?? new JsonArray()).Select(key).Select(s => s.ToLowerInvariant()).OrderBy(s => s, StringComparer.Ordinal));

    private static string Number(JsonNode? node) =>
        node is JsonValue value && double.TryParse(value.ToJsonString().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n.ToString("R", CultureInfo.InvariantCulture)
            : "";

    private static string Text(JsonNode? node) =>
        node == null ? "" : node is JsonValue value && value.TryGetValue<string>(out var s) ? s : node.ToJsonString();
}
