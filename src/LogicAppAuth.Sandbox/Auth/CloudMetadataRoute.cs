using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Auth;

/// <summary>
/// <c>GET /metadata/endpoints</c>: the discovery document a custom cloud serves at its Resource Manager endpoint (the
/// array shape of api-version 2022-09-01, which Az reads for custom environments). It publishes the sandbox's own
/// token audiences, so that a client never asks Entra ID for a public-cloud token to send here.
/// </summary>
public static class CloudMetadataRoute
{
    public static void Map(WebApplication app) =>
        app.MapGet("/metadata/endpoints", (HttpContext context, SandboxState state) =>
        {
            var baseUrl = (state.Runtime.BaseUrl ?? $"https://{context.Request.Host}").TrimEnd('/') + "/";
            return Results.Json(new[]
            {
                new
                {
                    name = "LogicAppAuthSandbox",
                    resourceManager = baseUrl,
                    graph = baseUrl,
                    microsoftGraphResourceId = TokenIssuer.SandboxGraphAudience + "/",
                    authentication = new
                    {
                        loginEndpoint = baseUrl,
                        audiences = new[] { TokenIssuer.SandboxArmAudience },
                        tenant = "common",
                        identityProvider = "AAD",
                    },
                },
            });
        });
}
