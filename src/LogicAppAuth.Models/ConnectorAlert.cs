namespace LogicAppAuth;

/// <summary>
/// An Azure Monitor metric alert rule on a Consumption logic app's failed runs, as New-LogicConnectorAlert left it.
/// ResourceId/SubscriptionId/ResourceGroupName/Name are the rule's own. Flat by contract: scalar properties only.
/// </summary>
public sealed class ConnectorAlert
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>Created, Updated or Unchanged (an identical rule was already there: nothing was written).</summary>
    public string Action { get; set; } = "";

    /// <summary>The properties an update changed, ';'-joined; empty when created or unchanged.</summary>
    public string Changes { get; set; } = "";

    public string WorkflowId { get; set; } = "";
    public string WorkflowName { get; set; } = "";
    public string MetricName { get; set; } = "";

    /// <summary>The condition in one line, e.g. "RunsFailed Total > 0 over PT5M, every PT1M".</summary>
    public string Condition { get; set; } = "";

    public int Severity { get; set; }
    public string WindowSize { get; set; } = "";
    public string EvaluationFrequency { get; set; } = "";
    public bool Enabled { get; set; }

    /// <summary>Action group ids, ';'-joined.</summary>
    public string ActionGroupId { get; set; } = "";
}
