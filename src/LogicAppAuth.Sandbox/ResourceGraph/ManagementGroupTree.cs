using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>Look-ups in a scenario's management-group hierarchy.</summary>
public static class ManagementGroupTree
{
    public static ScenarioManagementGroup? Find(Scenario scenario, string name) =>
        Walk(scenario.ManagementGroups).FirstOrDefault(g => g.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public static string TenantOf(Scenario scenario, ScenarioManagementGroup group) => group.TenantId ?? scenario.HomeTenantId;

    /// <summary>Subscriptions directly under the group or under any descendant.</summary>
    public static IEnumerable<string> SubscriptionsUnder(ScenarioManagementGroup group) =>
        Walk([group]).SelectMany(g => g.Subscriptions);

    /// <summary>The groups above a subscription, nearest first (ARG's managementGroupAncestorsChain order).</summary>
    public static IReadOnlyList<ScenarioManagementGroup> Ancestors(Scenario scenario, string subscriptionId)
    {
        foreach (var root in scenario.ManagementGroups)
        {
            var path = new List<ScenarioManagementGroup>();
            if (PathTo(root, subscriptionId, path))
            {
                path.Reverse();
                return path;
            }
        }

        return [];
    }

    private static bool PathTo(ScenarioManagementGroup group, string subscriptionId, List<ScenarioManagementGroup> path)
    {
        path.Add(group);
        if (group.Subscriptions.Contains(subscriptionId, StringComparer.OrdinalIgnoreCase)
            || group.Children.Any(child => PathTo(child, subscriptionId, path)))
        {
            return true;
        }

        path.RemoveAt(path.Count - 1);
        return false;
    }

    private static IEnumerable<ScenarioManagementGroup> Walk(IEnumerable<ScenarioManagementGroup> groups)
    {
        foreach (var group in groups)
        {
            yield return group;
            foreach (var child in Walk(group.Children))
            {
                yield return child;
            }
        }
    }
}
