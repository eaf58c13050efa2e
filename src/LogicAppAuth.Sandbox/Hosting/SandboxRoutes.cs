using LogicAppAuth.Sandbox.Auth;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>Unauthenticated /_sandbox/* routes for tests: request log, token minting, shutdown.</summary>
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

    public static void Map(WebApplication app)
    {
        app.MapGet(Prefix + "/requests", (SandboxState state) => Results.Json(state.Log.Snapshot()));
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
