using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>
/// The Resource Graph tables built from the document store: <c>resources</c> (every provider
/// resource) and <c>resourcecontainers</c> (subscriptions and resource groups), with ARG's row shape:
/// type, resourceGroup and location normalised to lower case, tenantId/subscriptionId columns, and
/// kind/managedBy as "" and sku/plan/identity/zones/extendedLocation as null when the resource has none.
/// </summary>
public static class ResourceGraphTables
{
    public const string Resources = "Resources";
    public const string ResourceContainers = "ResourceContainers";

    public static readonly IReadOnlyList<string> Columns =
    [
        "id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId", "managedBy",
        "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation",
    ];

    /// <summary>Table name to schema; the first is the default table of a query without one.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Schemas = new OrderedDictionary<string, IReadOnlyList<string>>
    {
        [Resources] = Columns,
        [ResourceContainers] = Columns,
    };

    /// <summary>Rows of <paramref name="table"/> in the given subscriptions, ordered by id.</summary>
    public static IEnumerable<IKqlSourceRow> Rows(string table, ResourceStore store, Scenario scenario, IReadOnlyCollection<ScenarioSubscription> subscriptions, Func<JsonObject, bool> canRead)
    {
        var bySubscription = subscriptions.ToDictionary(s => s.SubscriptionId, StringComparer.OrdinalIgnoreCase);
        if (table == ResourceContainers)
        {
            foreach (var subscription in subscriptions.OrderBy(s => s.SubscriptionId, StringComparer.OrdinalIgnoreCase))
            {
                var document = SubscriptionDocument(subscription, scenario);
                if (canRead(document))
                {
                    yield return new ArgRow(document, ArgDocumentFacts.Of(document), subscription);
                }
            }

            foreach (var group in store.OfType("Microsoft.Resources/resourceGroups").OrderBy(d => (string?)d["id"], StringComparer.OrdinalIgnoreCase))
            {
                if (SubscriptionOf(group, bySubscription) is { } subscription && canRead(group))
                {
                    yield return new ArgRow(group, ArgDocumentFacts.Of(group), subscription);
                }
            }

            yield break;
        }

        // Filtering before sorting leaves the same rows in the same order, and sorts far fewer of them.
        var rows = new List<ArgRow>();
        foreach (var document in store.All())
        {
            var facts = ArgDocumentFacts.Of(document);
            if (facts.InResourcesTable && SubscriptionOf(document, bySubscription) is { } subscription && canRead(document))
            {
                rows.Add(new ArgRow(document, facts, subscription));
            }
        }

        rows.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Facts.Id, b.Facts.Id));
        foreach (var row in rows)
        {
            yield return row;
        }
    }

    private static ScenarioSubscription? SubscriptionOf(JsonObject document, Dictionary<string, ScenarioSubscription> subscriptions) =>
        ArgDocumentFacts.Of(document).SubscriptionId is { } id && subscriptions.TryGetValue(id, out var subscription) ? subscription : null;

    private static JsonObject SubscriptionDocument(ScenarioSubscription subscription, Scenario scenario)
    {
        var chain = new JsonArray();
        foreach (var group in ManagementGroupTree.Ancestors(scenario, subscription.SubscriptionId))
        {
            chain.Add(new JsonObject { ["displayName"] = group.DisplayName, ["name"] = group.Name });
        }

        return new JsonObject
        {
            ["id"] = "/subscriptions/" + subscription.SubscriptionId,
            ["name"] = subscription.DisplayName,
            ["type"] = "Microsoft.Resources/subscriptions",
            ["properties"] = new JsonObject
            {
                ["state"] = "Enabled",
                ["subscriptionPolicies"] = new JsonObject
                {
                    ["locationPlacementId"] = "Public_2014-09-01",
                    ["quotaId"] = "PayAsYouGo_2014-09-01",
                    ["spendingLimit"] = "Off",
                },
                ["managementGroupAncestorsChain"] = chain,
            },
        };
    }

    /// <summary>One ARG row over a stored ARM document; columns are read on demand, the document is never modified.</summary>
    private sealed class ArgRow(JsonObject document, ArgDocumentFacts facts, ScenarioSubscription subscription) : IKqlSourceRow
    {
        public ArgDocumentFacts Facts => facts;

        public object? Column(string name) => name switch
        {
            "id" => (string?)document["id"],
            "name" => (string?)document["name"],
            "type" => facts.Type,
            "tenantId" => subscription.TenantId,
            "kind" => (string?)document["kind"] ?? "",
            "location" => NormalizeLocation((string?)document["location"]),
            "resourceGroup" => facts.ResourceGroup,
            "subscriptionId" => subscription.SubscriptionId,
            "managedBy" => (string?)document["managedBy"] ?? "",
            _ => KqlValues.FromJson(document[name]),
        };

        IReadOnlyList<string> IKqlSourceRow.Columns => Columns;
    }

    /// <summary>ARG reports locations as ARM's short names ("West Europe" becomes "westeurope").</summary>
    public static string NormalizeLocation(string? location) =>
        (location ?? "").Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
}
