using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// The api-version for a resource type the module has no version of its own for: the newest stable one its resource
/// provider registers (<c>GET /subscriptions/{s}/providers/{namespace}</c>, <c>resourceTypes[].apiVersions</c>), read once
/// per subscription and namespace. ARM refuses a version the provider does not register (400), so a fixed guess would fail.
/// </summary>
internal sealed class ProviderApiVersions
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string[]>>> _registered = new ConcurrentDictionary<string, Lazy<Task<string[]>>>(StringComparer.OrdinalIgnoreCase);

    public async Task<string> ForAsync(ArmRestClient arm, AzureResourceId resource, CancellationToken cancellationToken)
    {
        var slash = resource.ResourceType.IndexOf('/');
        var providerNamespace = resource.ResourceType.Substring(0, slash);
        var type = resource.ResourceType.Substring(slash + 1);
        var versions = await _registered.GetOrAdd($"{resource.SubscriptionId}|{providerNamespace}|{type}",
            _ => new Lazy<Task<string[]>>(() => ReadAsync(arm, resource.SubscriptionId, providerNamespace, type, cancellationToken))).Value.ConfigureAwait(false);
        return Newest(versions) ?? throw new LogicAppAuthException("ApiVersionUnknown", FailureKind.InvalidArgument,
            $"Resource provider {providerNamespace} registers no api-version for {resource.ResourceType} in subscription {resource.SubscriptionId}; " +
            "check the resource id, or register the provider.", resource.Id);
    }

    /// <summary>The newest stable version (dates sort as text), else the newest preview.</summary>
    public static string? Newest(string[] versions) =>
        versions.Where(v => v.IndexOf("preview", StringComparison.OrdinalIgnoreCase) < 0 && v.IndexOf("beta", StringComparison.OrdinalIgnoreCase) < 0)
            .OrderByDescending(v => v, StringComparer.Ordinal).FirstOrDefault()
        ?? versions.OrderByDescending(v => v, StringComparer.Ordinal).FirstOrDefault();

    private static async Task<string[]> ReadAsync(ArmRestClient arm, string subscriptionId, string providerNamespace, string type, CancellationToken cancellationToken)
    {
        var path = $"/subscriptions/{subscriptionId}/providers/{providerNamespace}";
        using var provider = await arm.GetAsync($"{path}?api-version={ApiVersions.Providers}", path, cancellationToken).ConfigureAwait(false);
        if (Json.Path(provider.RootElement, "resourceTypes") is JsonElement types && types.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in types.EnumerateArray())
            {
                if (string.Equals(Json.String(entry, "resourceType"), type, StringComparison.OrdinalIgnoreCase)
                    && Json.Path(entry, "apiVersions") is JsonElement versions && versions.ValueKind == JsonValueKind.Array)
                {
                    return versions.EnumerateArray().Select(v => v.GetString() ?? "").Where(v => v.Length > 0).ToArray();
                }
            }
        }

        return Array.Empty<string>();
    }
}
