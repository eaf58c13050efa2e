using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>
/// What Resource Graph derives from a stored document's id and type, which never change for a document:
/// worked out once per document instead of on every query and every row written.
/// </summary>
public sealed class ArgDocumentFacts
{
    private static readonly ConditionalWeakTable<JsonObject, ArgDocumentFacts> Cache = new();

    /// <summary>Namespaces whose documents are not in the resources table (ARG has them in other tables).</summary>
    private static readonly string[] NotInResources = ["Microsoft.Resources/", "Microsoft.Authorization/"];

    private ArgDocumentFacts(JsonObject document)
    {
        Id = (string?)document["id"] ?? "";
        var type = (string?)document["type"] ?? "";
        Type = type.ToLowerInvariant();
        var path = ArmPath.Parse(Id);
        SubscriptionId = path.SubscriptionId;
        ResourceGroup = path.ResourceGroupName?.ToLowerInvariant() ?? "";
    }

    public string Id { get; }

    /// <summary>The type column: ARG reports types in lower case.</summary>
    public string Type { get; }

    public string? SubscriptionId { get; }

    /// <summary>The resourceGroup column: lower case, "" outside a resource group.</summary>
    public string ResourceGroup { get; }

    public static ArgDocumentFacts Of(JsonObject document) => Cache.GetValue(document, d => new ArgDocumentFacts(d));

    /// <summary>True for the types of the resources table: top-level provider resources (Namespace/type) outside the
    /// namespaces ARG keeps in other tables; child documents such as access policies or workflow runs are not rows of their own.</summary>
    public static bool IsResourcesTableType(string type) =>
        IsTopLevel(type) && !Array.Exists(NotInResources, ns => type.StartsWith(ns, StringComparison.OrdinalIgnoreCase));

    private static bool IsTopLevel(string type) => type.IndexOf('/') is var slash and > 0 && type.IndexOf('/', slash + 1) < 0;
}
