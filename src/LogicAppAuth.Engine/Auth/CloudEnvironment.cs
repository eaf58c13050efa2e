using System;
using System.Collections.Generic;
using System.Linq;
using Azure.Identity;
using Azure.ResourceManager;

namespace LogicAppAuth.Engine.Auth;

/// <summary>The endpoints of one Azure cloud, with any overrides applied (Azure Stack Hub, private endpoints, the sandbox).</summary>
public sealed class CloudEnvironment
{
    public const string AzureCloud = "AzureCloud";
    public const string AzureUSGovernment = "AzureUSGovernment";
    public const string AzureChinaCloud = "AzureChinaCloud";

    private static readonly Dictionary<string, (ArmEnvironment Arm, Uri Authority, Uri Graph)> KnownClouds =
        new Dictionary<string, (ArmEnvironment, Uri, Uri)>(StringComparer.OrdinalIgnoreCase)
        {
            [AzureCloud] = (ArmEnvironment.AzurePublicCloud, AzureAuthorityHosts.AzurePublicCloud, new Uri("https://graph.microsoft.com/")),
            [AzureUSGovernment] = (ArmEnvironment.AzureGovernment, AzureAuthorityHosts.AzureGovernment, new Uri("https://graph.microsoft.us/")),
            [AzureChinaCloud] = (ArmEnvironment.AzureChina, AzureAuthorityHosts.AzureChina, new Uri("https://microsoftgraph.chinacloudapi.cn/")),
        };

    private CloudEnvironment(string name, Uri resourceManagerUrl, string resourceManagerAudience, Uri graphUrl, string graphAudience, Uri authorityHost,
        IReadOnlyList<string> overriddenHosts)
    {
        OverriddenHosts = overriddenHosts;
        Name = name;
        ResourceManagerUrl = resourceManagerUrl;
        ResourceManagerAudience = resourceManagerAudience;
        GraphUrl = graphUrl;
        GraphAudience = graphAudience;
        AuthorityHost = authorityHost;
    }

    public string Name { get; }
    public Uri ResourceManagerUrl { get; }
    public string ResourceManagerAudience { get; }
    public Uri GraphUrl { get; }
    public string GraphAudience { get; }
    public Uri AuthorityHost { get; }

    public string ResourceManagerScope => ResourceManagerAudience.TrimEnd('/') + "/.default";
    public string GraphScope => GraphAudience.TrimEnd('/') + "/.default";

    public static IEnumerable<string> Names => KnownClouds.Keys;

    /// <summary>
    /// Builds the endpoints of a named cloud. Overrides change where requests go; the audiences are the named
    /// cloud's until a session replaces them for custom hosts (<see cref="TokenAudiences"/>).
    /// </summary>
    public static CloudEnvironment Create(string? name, Uri? resourceManagerUrl = null, Uri? graphUrl = null, Uri? authorityHost = null)
    {
        string cloudName = string.IsNullOrEmpty(name) ? AzureCloud : name!;
        if (!KnownClouds.TryGetValue(cloudName, out var cloud))
        {
            throw new ArgumentException($"Unknown environment '{cloudName}'. Use one of: {string.Join(", ", KnownClouds.Keys)}.", nameof(name));
        }

        var graphAudience = cloud.Graph.AbsoluteUri.TrimEnd('/');
        return new CloudEnvironment(
            KnownClouds.Keys.First(k => string.Equals(k, cloudName, StringComparison.OrdinalIgnoreCase)),
            WithTrailingSlash(resourceManagerUrl ?? cloud.Arm.Endpoint),
            cloud.Arm.Audience,
            WithTrailingSlash(graphUrl ?? cloud.Graph),
            graphAudience,
            WithTrailingSlash(authorityHost ?? cloud.Authority),
            new[] { resourceManagerUrl, graphUrl, authorityHost }.Where(u => u != null).Select(u => u!.Host).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <summary>The same endpoints with the token audiences a custom endpoint needs (see <see cref="TokenAudiences"/>).</summary>
    internal CloudEnvironment WithAudiences(string resourceManagerAudience, string graphAudience) =>
        new CloudEnvironment(Name, ResourceManagerUrl, resourceManagerAudience, GraphUrl, graphAudience.TrimEnd('/'), AuthorityHost, OverriddenHosts);

    /// <summary>The hosts given as overrides; an extra trusted certificate is honoured for these only, never for the named cloud's own hosts.</summary>
    public IReadOnlyList<string> OverriddenHosts { get; }

    private static Uri WithTrailingSlash(Uri uri)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"'{uri}' is not an absolute https URL. Endpoints must use https.");
        }

        return uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
