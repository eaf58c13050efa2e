using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Graph;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Auth;

/// <summary>Who is calling: the token's claims and, when known, the scenario principal.</summary>
public sealed record Caller(TokenClaims Claims, ScenarioPrincipal? Principal)
{
    public string ObjectId => Claims.ObjectId;

    public string AppId => Claims.AppId;

    public string TenantId => Claims.TenantId;
}

/// <summary>The outcome of checking a bearer token: a caller, or the error response to send.</summary>
public sealed record AccessResult(Caller? Caller, IResult? Failure);

/// <summary>Validates bearer tokens on ARM and Graph routes and answers failures the way each service does.</summary>
public sealed class AccessCheck(SandboxState state)
{
    private const string ArmAllowedAudiences =
        "'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'";

    public async Task<AccessResult> ArmAsync(HttpContext context)
    {
        var (claims, problem) = await ReadBearerAsync(context);
        if (claims is null)
        {
            return ArmFailure(context, "InvalidAuthenticationToken", problem!, state.Scenario.HomeTenantId);
        }

        if (!TokenIssuer.IsArmAudience(claims.Audience))
        {
            return ArmFailure(context, "InvalidAuthenticationToken",
                $"The access token has been obtained for wrong audience or resource '{claims.Audience}'. " +
                $"It should exactly match with one of the allowed audiences {ArmAllowedAudiences}.", claims.TenantId);
        }

        var now = state.Clock.GetUtcNow();
        if (claims.Expires <= now)
        {
            return ArmFailure(context, "ExpiredAuthenticationToken",
                $"The access token expiry UTC time '{ArmErrors.FormatTime(claims.Expires)}' is earlier than current UTC time '{ArmErrors.FormatTime(now)}'.",
                claims.TenantId);
        }

        return Success(context, claims);
    }

    /// <summary>ARM's answer when a token's tenant is not the tenant of the subscription in the path.</summary>
    public IResult WrongTenant(HttpContext context, Caller caller, string subscriptionTenantId)
    {
        var message =
            $"The access token is from the wrong issuer '{caller.Claims.Issuer}'. It must match the tenant '{TokenIssuer.IssuerFor(subscriptionTenantId)}' " +
            $"associated with this subscription. Please use the authority (URL) '{Authority(context, subscriptionTenantId)}' to get the token. " +
            "Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). " +
            "If you just transferred your subscription and see this error message, please try back later.";
        return ArmFailure(context, "InvalidAuthenticationTokenTenant", message, subscriptionTenantId, "The access token is from the wrong issuer.").Failure!;
    }

    public async Task<AccessResult> GraphAsync(HttpContext context)
    {
        var (claims, problem) = await ReadBearerAsync(context);
        if (claims is null)
        {
            var message = problem == MissingHeader ? "Access token is empty." : "Access token validation failure.";
            return new AccessResult(null, GraphErrors.Error(context, 401, "InvalidAuthenticationToken", message));
        }

        if (!TokenIssuer.IsGraphAudience(claims.Audience))
        {
            return new AccessResult(null, GraphErrors.Error(context, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."));
        }

        if (claims.Expires <= state.Clock.GetUtcNow())
        {
            return new AccessResult(null, GraphErrors.Error(context, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."));
        }

        return Success(context, claims);
    }

    private const string MissingHeader = "The 'Authorization' header is missing.";

    private async Task<(TokenClaims? Claims, string? Problem)> ReadBearerAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return (null, MissingHeader);
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "The 'Authorization' header is provided in an invalid format.");
        }

        var claims = await state.Tokens.ReadAsync(header["Bearer ".Length..].Trim());
        return claims is null ? (null, "The access token is invalid.") : (claims, null);
    }

    private AccessResult Success(HttpContext context, TokenClaims claims)
    {
        var principal = state.Scenario.FindPrincipalByObjectId(claims.ObjectId);
        context.Items[RequestLog.PrincipalItemKey] = principal?.Name ?? claims.AppId;
        return new AccessResult(new Caller(claims, principal), null);
    }

    private static AccessResult ArmFailure(HttpContext context, string code, string message, string tenantId, string? description = null)
    {
        var headerText = (description ?? message).Replace('"', '\'');
        context.Response.Headers.WWWAuthenticate =
            $"Bearer authorization_uri=\"{Authority(context, tenantId)}\", error=\"invalid_token\", error_description=\"{headerText}\"";
        return new AccessResult(null, ArmErrors.Error(401, code, message));
    }

    private static string Authority(HttpContext context, string tenantId) =>
        $"{context.Request.Scheme}://{context.Request.Host}/{tenantId}";
}
