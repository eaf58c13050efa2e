namespace LogicAppAuth.Sandbox.Scenarios;

/// <summary>A management group of a scenario: the subscriptions right under it and its child groups.</summary>
public sealed class ScenarioManagementGroup
{
    public string Name { get; set; } = "";
    public string DisplayName { get; set; } = "";

    /// <summary>Tenant of the group; the scenario's home tenant when omitted.</summary>
    public string? TenantId { get; set; }
    public List<string> Subscriptions { get; set; } = [];
    public List<ScenarioManagementGroup> Children { get; set; } = [];
}
