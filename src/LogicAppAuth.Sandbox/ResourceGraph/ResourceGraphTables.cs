using System.Runtime.CompilerServices;
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

        foreach (var (document, facts) in SortedResources(store))
        {
            if (SubscriptionOf(document, bySubscription) is { } subscription && canRead(document))
            {
                yield return new ArgRow(document, facts, subscription);
            }
        }
    }

    private static readonly ConditionalWeakTable<ResourceStore, ResourcesSnapshot> Snapshots = new();

    private sealed record ResourcesSnapshot(long Version, List<(JsonObject Document, ArgDocumentFacts Facts)> Rows);

    /// <summary>
    /// The resources table's documents ordered by id, rebuilt only when the store changed: only the types the table
    /// holds are scanned (child documents such as workflow runs far outnumber resources), and a query does not sort
    /// the tenant again.
    /// </summary>
    private static List<(JsonObject Document, ArgDocumentFacts Facts)> SortedResources(ResourceStore store)
    {
        var version = store.Version;
        if (Snapshots.TryGetValue(store, out var snapshot) && snapshot.Version == version)
        {
            return snapshot.Rows;
        }

        var rows = store.Types.Where(ArgDocumentFacts.IsResourcesTableType)
            .SelectMany(store.OfType)
            .Select(document => (document, ArgDocumentFacts.Of(document)))
            .ToList();
        rows.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Item2.Id, b.Item2.Id));
        Snapshots.AddOrUpdate(store, new ResourcesSnapshot(version, rows));
        return rows;
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
            "id" => facts.Id,
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
