using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>Unauthenticated /_sandbox/* routes for tests: request log, token minting, the concurrent writer, a planted test link, shutdown.</summary>
public static class SandboxRoutes
{
    public const string Prefix = "/_sandbox";

    public sealed class TokenRequest
    {
        public string Principal { get; set; } = "admin";
        public string Audience { get; set; } = TokenIssuer.ArmAudience;
        public int LifetimeSeconds { get; set; } = 3600;
        public string? TenantId { get; set; }
    }

    public sealed class ConcurrentWriteRequest
    {
        public string Path { get; set; } = "";
        public int AfterReads { get; set; } = 1;
    }

    public sealed class TestLinkRequest
    {
        public string ConnectionId { get; set; } = "";
        public string RequestUri { get; set; } = "";
    }

    public static void Map(WebApplication app)
    {
        app.MapGet(Prefix + "/requests", (SandboxState state) => Results.Json(state.Log.Snapshot()));
        app.MapGet(Prefix + "/refused-api-versions", (SandboxState state) => Results.Json(state.Log.RefusedApiVersions));
        app.MapDelete(Prefix + "/requests", (SandboxState state) =>
        {
            state.Log.Clear();
            return Results.NoContent();
        });
        app.MapPost(Prefix + "/token", (TokenRequest request, SandboxState state) =>
        {
            var principal = state.Scenario.FindPrincipalByName(request.Principal)
                ?? state.Scenario.FindPrincipalByAppId(request.Principal)
                ?? state.Scenario.FindPrincipalByObjectId(request.Principal);
            if (principal is null)
            {
                return Results.Json(new { error = $"Unknown principal '{request.Principal}'." }, statusCode: 404);
            }

            var token = state.Tokens.Issue(principal, request.Audience, TimeSpan.FromSeconds(request.LifetimeSeconds), request.TenantId);
            return Results.Json(new { access_token = token });
        });
        app.MapPost(Prefix + "/concurrent-writer", (ConcurrentWriteRequest request, SandboxState state) =>
        {
            if (!request.Path.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
            {
                return Results.Json(new { error = "path must be an ARM path (/subscriptions/...)." }, statusCode: 400);
            }

            state.ConcurrentWriter.Arm(request.Path, request.AfterReads);
            return Results.NoContent();
        });
        // Makes a connection's testLinks[0] point where a test says, as a service emitting a hostile link would.
        app.MapPost(Prefix + "/test-link", (TestLinkRequest request, SandboxState state) =>
        {
            if (state.Store.Get(request.ConnectionId) is not { } connection || connection["properties"] is not JsonObject properties)
            {
                return Results.Json(new { error = $"No connection '{request.ConnectionId}'." }, statusCode: 404);
            }

            properties["testLinks"] = new JsonArray(new JsonObject { ["requestUri"] = request.RequestUri, ["method"] = "get" });
            state.Store.Put(connection);
            return Results.NoContent();
        });
        Arm.ConsentRoutes.MapConsentPage(app);
        app.MapPost(Prefix + "/shutdown", (HttpContext context, IHostApplicationLifetime lifetime) =>
        {
            context.Response.OnCompleted(() =>
            {
                lifetime.StopApplication();
                return Task.CompletedTask;
            });
            return Results.Accepted();
        });
    }
}
