using System;
using Azure.Core;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Arm;

/// <summary>A parsed ARM resource id, with the checks and messages the module needs for user input.</summary>
internal sealed class AzureResourceId
{
    public const string ConnectionType = "Microsoft.Web/connections";
    public const string WorkflowType = "Microsoft.Logic/workflows";
    public const string SiteType = "Microsoft.Web/sites";
    public const string ResourceGroupType = "Microsoft.Resources/resourceGroups";
    public const string SubscriptionType = "Microsoft.Resources/subscriptions";

    private AzureResourceId(string id, string subscriptionId, string resourceGroupName, string name, string resourceType)
    {
        Id = id;
        SubscriptionId = subscriptionId;
        ResourceGroupName = resourceGroupName;
        Name = name;
        ResourceType = resourceType;
    }

    public string Id { get; }
    public string SubscriptionId { get; }
    public string ResourceGroupName { get; }
    public string Name { get; }
    public string ResourceType { get; }

    public bool IsType(string type) => string.Equals(ResourceType, type, StringComparison.OrdinalIgnoreCase);

    public static AzureResourceId Parse(string text)
    {
        var trimmed = (text ?? "").Trim();
        if (Guid.TryParse(trimmed, out var subscription))
        {
            trimmed = "/subscriptions/" + subscription.ToString("D");
        }

        try
        {
            var id = new ResourceIdentifier(trimmed);
            var type = id.ResourceType.ToString();
            if (id.SubscriptionId == null || !Guid.TryParse(id.SubscriptionId, out _))
            {
                throw new FormatException("no subscription");
            }

            return new AzureResourceId(id.ToString(), id.SubscriptionId, id.ResourceGroupName ?? "", id.Name ?? "", type);
        }
        catch (Exception e) when (e is FormatException || e is ArgumentException)
        {
            throw new LogicAppAuthException("InvalidResourceId", FailureKind.InvalidArgument,
                $"'{text}' is not an Azure resource id. Expected a form like /subscriptions/<guid>/resourceGroups/<name>/providers/Microsoft.Web/connections/<name>.",
                text, e);
        }
    }

    /// <summary>The subscription id of a resource id, or "" when it has none.</summary>
    public static string SubscriptionOf(string resourceId)
    {
        var parts = resourceId.Split('/');
        return parts.Length > 2 && string.Equals(parts[1], "subscriptions", StringComparison.OrdinalIgnoreCase) ? parts[2] : "";
    }

    /// <summary>The last segment of an id (a resource's name), or the whole text when it has no '/'.</summary>
    public static string LastSegment(string? resourceId)
    {
        var trimmed = (resourceId ?? "").TrimEnd('/');
        return trimmed.Substring(trimmed.LastIndexOf('/') + 1);
    }

    public static string ResourceGroup(string subscriptionId, string resourceGroupName) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";

    public static string Connection(string subscriptionId, string resourceGroupName, string name) =>
        $"{ResourceGroup(subscriptionId, resourceGroupName)}/providers/Microsoft.Web/connections/{name}";
}
