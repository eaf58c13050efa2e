using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Azure.Core;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Http;

namespace LogicAppAuth.Engine.Auth;

/// <summary>
/// The audiences of the tokens a session asks for. For the named cloud's own hosts they are the cloud's; for a
/// custom -ResourceManagerUrl or -GraphUrl they come from -ResourceManagerAudience / -GraphAudience or from the
/// endpoint's discovery document ({arm}/metadata/endpoints, as Az reads it for custom environments). A
/// public-cloud audience is never used for another host: that token would work against real Azure.
/// </summary>
internal static class TokenAudiences
{
    private static readonly string[] PublicResourceManagerAudiences =
    {
        "https://management.azure.com", "https://management.core.windows.net", "https://management.usgovcloudapi.net",
        "https://management.core.usgovcloudapi.net", "https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn",
    };

    private static readonly string[] PublicGraphAudiences =
    {
        "https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
        "00000003-0000-0000-c000-000000000000",
    };

    public static CloudEnvironment Resolve(SignInRequest request, CloudEnvironment cloud, HttpPipelineFactory http)
    {
        if (request.Method == SignInMethod.AccessToken)
        {
            // The caller brought the tokens and chose where they go; the module asks for none.
            return cloud;
        }

        var named = CloudEnvironment.Create(request.Environment);
        bool customArm = !SameHost(cloud.ResourceManagerUrl, named.ResourceManagerUrl);
        bool customGraph = !SameHost(cloud.GraphUrl, named.GraphUrl);
        var arm = Given(request.ResourceManagerAudience) ?? (customArm ? null : named.ResourceManagerAudience);
        var graph = Given(request.GraphAudience) ?? (customGraph ? null : named.GraphAudience);
        if (arm == null || graph == null)
        {
            var (publishedArm, publishedGraph) = Published(cloud.ResourceManagerUrl, http);
            arm ??= publishedArm;
            graph ??= publishedGraph;
        }

        Check(arm, customArm, PublicResourceManagerAudiences, cloud.ResourceManagerUrl, "-ResourceManagerAudience");
        Check(graph, customGraph, PublicGraphAudiences, cloud.GraphUrl, "-GraphAudience");
        return cloud.WithAudiences(arm!, graph!);
    }

    private static void Check(string? audience, bool customHost, string[] publicAudiences, Uri endpoint, string parameter)
    {
        if (string.IsNullOrEmpty(audience))
        {
            throw new LogicAppAuthException("EndpointAudienceUnknown", FailureKind.InvalidArgument,
                $"The token audience for {endpoint.GetLeftPart(UriPartial.Authority)} is not known: its {{arm}}/metadata/endpoints names none, and {parameter} was not given. " +
                $"Nothing was sent to it. Give the endpoint's own audience with {parameter}.", endpoint.AbsoluteUri);
        }

        if (customHost && publicAudiences.Any(p => string.Equals(p, audience!.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
        {
            throw new LogicAppAuthException("PublicCloudAudience", FailureKind.InvalidArgument,
                $"A token for {audience} (a public-cloud audience, valid against real Azure) would be sent to {endpoint.GetLeftPart(UriPartial.Authority)}, " +
                $"which is not that cloud's endpoint; nothing was sent. Give the endpoint's own audience with {parameter} (its {{arm}}/metadata/endpoints lists it).",
                endpoint.AbsoluteUri);
        }
    }

    /// <summary>The audiences the endpoint publishes: the 2022-09-01 array shape, or the older single object of Azure Stack Hub.</summary>
    private static (string? Arm, string? Graph) Published(Uri resourceManagerUrl, HttpPipelineFactory http)
    {
        var pipeline = http.CreatePlainPipeline();
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(resourceManagerUrl, "metadata/endpoints?api-version=" + Arm.ApiVersions.CloudMetadata));
        try
        {
            pipeline.Send(message, CancellationToken.None);
        }
        catch (Exception e) when (!(e is OperationCanceledException))
        {
            throw ExceptionTranslator.Translate(e, resourceManagerUrl.AbsoluteUri);
        }

        if (message.Response.Status != 200)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(message.Response.Content.ToMemory());
            var root = document.RootElement;
            var cloud = root.ValueKind == JsonValueKind.Array
                ? root.EnumerateArray().FirstOrDefault(c => SameHost(Arm.Json.String(c, "resourceManager"), resourceManagerUrl))
                : root;
            if (cloud.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var audiences = Arm.Json.Path(cloud, "authentication", "audiences");
            var arm = audiences is JsonElement list && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(a => a.GetString()).FirstOrDefault() : null;
            var graph = Given(Arm.Json.String(cloud, "microsoftGraphResourceId"));
            return (Given(arm), graph);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static bool SameHost(Uri a, Uri b) => string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase);

    private static bool SameHost(string url, Uri b) => Uri.TryCreate(url, UriKind.Absolute, out var a) && SameHost(a, b);

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
}
