using System.Globalization;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Auth;

/// <summary>Entra ID-shaped token endpoints (client credentials; device code and refresh token in <see cref="DeviceCodeFlow"/>) and the App Service-style managed-identity endpoint.</summary>
public static class TokenEndpoints
{
    public const string IdentityPath = "/msi/token";
    public const string IdentityHeaderName = "X-IDENTITY-HEADER";

    public static void Map(WebApplication app)
    {
        app.MapPost("/{tenant}/oauth2/v2.0/token", (HttpContext context, string tenant, SandboxState state) => ClientCredentialsAsync(context, tenant, state, v2: true));
        app.MapPost("/{tenant}/oauth2/token", (HttpContext context, string tenant, SandboxState state) => ClientCredentialsAsync(context, tenant, state, v2: false));
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", OpenIdConfiguration);
        app.MapGet("/common/discovery/instance", InstanceDiscovery);
        app.MapGet(IdentityPath, ManagedIdentity);
        DeviceCodeFlow.Map(app);
    }

    private static async Task<IResult> ClientCredentialsAsync(HttpContext context, string tenant, SandboxState state, bool v2)
    {
        if (!context.Request.HasFormContentType)
        {
            return EntraError(context, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
        }

        var form = await context.Request.ReadFormAsync();
        var clientId = form["client_id"].ToString();
        if (v2 && DeviceCodeFlow.IsGrantType(form["grant_type"]))
        {
            return state.DeviceCodes.Redeem(context, form, state);
        }

        if (v2 && form["grant_type"] == "refresh_token")
        {
            return state.DeviceCodes.Refresh(context, form, state);
        }

        if (form["grant_type"] != "client_credentials")
        {
            return EntraError(context, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        }

        var principal = state.Scenario.FindPrincipalByAppId(clientId);
        if (principal is null || !principal.TenantId.Equals(tenant, StringComparison.OrdinalIgnoreCase))
        {
            return EntraError(context, 400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed " +
                "by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }

        if (principal.Secret is null || form["client_secret"] != principal.Secret)
        {
            return EntraError(context, 401, "invalid_client", 7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, " +
                $"for a secret added to app '{clientId}'.");
        }

        var requested = v2 ? form["scope"].ToString() : form["resource"].ToString();
        if (string.IsNullOrWhiteSpace(requested))
        {
            return EntraError(context, 400, "invalid_request", 90014,
                $"The required field '{(v2 ? "scope" : "resource")}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.");
        }

        context.Items[RequestLog.PrincipalItemKey] = principal.Name;
        var audience = TokenIssuer.AudienceFor(requested);
        var lifetime = state.TokenLifetime;
        // Entra reports one second less than the token really lives, as the real service does.
        var seconds = Math.Max(0, (long)lifetime.TotalSeconds - 1);
        var token = state.Tokens.Issue(principal, audience, lifetime);
        return v2
            ? Results.Json(new { token_type = "Bearer", expires_in = seconds, ext_expires_in = seconds, access_token = token })
            : Results.Json(new
            {
                token_type = "Bearer",
                expires_in = seconds.ToString(CultureInfo.InvariantCulture),
                ext_expires_in = seconds.ToString(CultureInfo.InvariantCulture),
                expires_on = state.Clock.GetUtcNow().Add(lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                not_before = state.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                resource = audience,
                access_token = token,
            });
    }

    private static IResult ManagedIdentity(HttpContext context, SandboxState state)
    {
        var query = context.Request.Query;
        if (context.Request.Headers[IdentityHeaderName] != state.IdentityHeader)
        {
            return Results.Json(new { statusCode = 401, message = $"Unauthorized: the {IdentityHeaderName} header is missing or does not match." }, statusCode: 401);
        }

        var resource = query["resource"].ToString();
        if (string.IsNullOrWhiteSpace(resource))
        {
            return Results.Json(new { statusCode = 400, message = "The 'resource' query parameter is required." }, statusCode: 400);
        }

        var principal = SelectIdentity(state.Scenario, query["client_id"], query["principal_id"].Count > 0 ? query["principal_id"] : query["object_id"]);
        if (principal is null)
        {
            return Results.Json(new { statusCode = 400, message = "No managed identity was found for the requested client_id or principal_id." }, statusCode: 400);
        }

        context.Items[RequestLog.PrincipalItemKey] = principal.Name;
        var expiresOn = state.Clock.GetUtcNow().Add(state.TokenLifetime).ToUnixTimeSeconds();
        return Results.Json(new
        {
            access_token = state.Tokens.Issue(principal, TokenIssuer.AudienceFor(resource), state.TokenLifetime),
            expires_on = expiresOn.ToString(CultureInfo.InvariantCulture),
            resource,
            token_type = "Bearer",
            client_id = principal.AppId,
        });
    }

    private static ScenarioPrincipal? SelectIdentity(Scenario scenario, string? clientId, string? objectId)
    {
        var identities = scenario.Principals.Where(p => p.Kind == PrincipalKind.ManagedIdentity).ToList();
        if (!string.IsNullOrEmpty(clientId))
        {
            return identities.FirstOrDefault(p => p.AppId.Equals(clientId, StringComparison.OrdinalIgnoreCase));
        }

        if (!string.IsNullOrEmpty(objectId))
        {
            return identities.FirstOrDefault(p => p.ObjectId.Equals(objectId, StringComparison.OrdinalIgnoreCase));
        }

        return identities.FirstOrDefault(p => p.AutomationIdentity);
    }

    private static IResult OpenIdConfiguration(HttpContext context, string tenant)
    {
        var authority = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}";
        return Results.Json(new
        {
            token_endpoint = authority + "/oauth2/v2.0/token",
            token_endpoint_auth_methods_supported = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
            response_types_supported = new[] { "code", "id_token", "code id_token", "id_token token" },
            issuer = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}/v2.0",
            authorization_endpoint = authority + "/oauth2/v2.0/authorize",
            tenant_region_scope = "EU",
        });
    }

    private static IResult InstanceDiscovery(HttpContext context)
    {
        var host = context.Request.Host.ToString();
        return Results.Json(new Dictionary<string, object>
        {
            ["tenant_discovery_endpoint"] = $"{context.Request.Scheme}://{host}/common/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new[] { new { preferred_network = host, preferred_cache = host, aliases = new[] { host } } },
        });
    }

    internal static IResult EntraError(HttpContext context, int status, string error, int code, string description)
    {
        var traceId = Guid.NewGuid().ToString();
        var correlationId = Guid.NewGuid().ToString();
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Results.Json(
            new
            {
                error,
                error_description = $"AADSTS{code}: {description} Trace ID: {traceId} Correlation ID: {correlationId} Timestamp: {timestamp}",
                error_codes = new[] { code },
                timestamp,
                trace_id = traceId,
                correlation_id = correlationId,
                error_uri = $"{context.Request.Scheme}://{context.Request.Host}/error?code={code}",
            },
            statusCode: status);
    }
}
