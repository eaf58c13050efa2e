using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;
using Microsoft.Extensions.Primitives;

namespace LogicAppAuth.Sandbox.Auth;

/// <summary>
/// Entra ID's device authorization grant: <c>/{tenant}/oauth2/v2.0/devicecode</c>, the token grant's answers while a
/// code waits (<c>authorization_pending</c>, <c>slow_down</c>, <c>expired_token</c>, <c>authorization_declined</c>), the
/// refresh-token grant that turns the one sign-in into tokens for other audiences, and a test-only page that stands
/// in for the person at the browser. The sandbox has no user accounts: whoever approves names a scenario principal,
/// and the tokens carry that principal's object id (so its roles apply).
/// </summary>
public sealed class DeviceCodeFlow
{
    public const string GrantType = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>The short name MSAL sends; Entra accepts both.</summary>
    public const string ShortGrantType = "device_code";

    public static bool IsGrantType(string? grantType) => grantType == GrantType || grantType == ShortGrantType;

    /// <summary>Entra asks for 5 seconds between polls; the sandbox asks for 1 so that tests wait less.</summary>
    public const int IntervalSeconds = 1;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);

    public enum Decision
    {
        Pending,
        Approved,
        Declined,
    }

    private sealed class PendingCode(string deviceCode, string userCode, string clientId, DateTimeOffset expiresAt)
    {
        public string DeviceCode { get; } = deviceCode;
        public string UserCode { get; } = userCode;
        public string ClientId { get; } = clientId;
        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
        public DateTimeOffset? LastPoll { get; set; }
        public Decision Decision { get; set; }
        public ScenarioPrincipal? Approver { get; set; }
    }

    private sealed record RefreshGrant(ScenarioPrincipal Principal, string ClientId);

    public sealed class ApprovalRequest
    {
        /// <summary>approve, decline, or expire (ends the code's lifetime now).</summary>
        public string Action { get; set; } = "approve";

        public string Principal { get; set; } = "admin";
    }

    public static void Map(WebApplication app)
    {
        app.MapPost("/{tenant}/oauth2/v2.0/devicecode", StartAsync);
        app.MapGet(SandboxRoutes.Prefix + "/device-codes", (SandboxState state) =>
            Results.Json(state.DeviceCodes._codes.Values.Where(c => c.Decision == Decision.Pending)
                .Select(c => new { userCode = c.UserCode, deviceCode = c.DeviceCode })));
        app.MapPost(SandboxRoutes.Prefix + "/device-codes/{userCode}", (string userCode, ApprovalRequest request, SandboxState state) =>
            state.DeviceCodes.Decide(userCode, request, state.Scenario));
    }

    private static async Task<IResult> StartAsync(HttpContext context, string tenant, SandboxState state)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : FormCollection.Empty;
        var clientId = form["client_id"].ToString();
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrWhiteSpace(form["scope"]))
        {
            return TokenEndpoints.EntraError(context, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id' and 'scope'.");
        }

        var code = new PendingCode(RandomText(48), UserCode(), clientId, DateTimeOffset.UtcNow + Lifetime);
        state.DeviceCodes._codes[code.DeviceCode] = code;
        var verificationUri = $"{context.Request.Scheme}://{context.Request.Host}/devicelogin";
        return Results.Json(new
        {
            user_code = code.UserCode,
            device_code = code.DeviceCode,
            verification_uri = verificationUri,
            expires_in = (int)Lifetime.TotalSeconds,
            interval = IntervalSeconds,
            message = $"To sign in, use a web browser to open the page {verificationUri} and enter the code {code.UserCode} to authenticate.",
        });
    }

    /// <summary>The token grant for a device code: what Entra answers at each stage of the wait.</summary>
    public IResult Redeem(HttpContext context, IFormCollection form, SandboxState state)
    {
        if (!_codes.TryGetValue(form["device_code"].ToString(), out var code))
        {
            return TokenEndpoints.EntraError(context, 400, "invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.");
        }

        var now = DateTimeOffset.UtcNow;
        var tooSoon = code.LastPoll is { } last && now - last < TimeSpan.FromSeconds(IntervalSeconds / 2.0);
        code.LastPoll = now;
        if (now >= code.ExpiresAt)
        {
            _codes.TryRemove(code.DeviceCode, out _);
            return TokenEndpoints.EntraError(context, 400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
        }

        switch (code.Decision)
        {
            case Decision.Declined:
                _codes.TryRemove(code.DeviceCode, out _);
                return TokenEndpoints.EntraError(context, 400, "authorization_declined", 70000, "The user declined to authorize the request.");
            case Decision.Approved:
                _codes.TryRemove(code.DeviceCode, out _);
                return IssueUserTokens(context, state, new RefreshGrant(code.Approver!, code.ClientId), form["scope"]);
            default:
                return tooSoon
                    ? TokenEndpoints.EntraError(context, 400, "slow_down", 70016, "The client is polling too quickly. Poll no more often than the interval the device code response gave.")
                    : TokenEndpoints.EntraError(context, 400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
        }
    }

    /// <summary>The refresh-token grant: a token for another audience from the same sign-in, without asking the person again.</summary>
    public IResult Refresh(HttpContext context, IFormCollection form, SandboxState state)
    {
        if (!_refreshTokens.TryGetValue(form["refresh_token"].ToString(), out var grant) || grant.ClientId != form["client_id"].ToString())
        {
            return TokenEndpoints.EntraError(context, 400, "invalid_grant", 9002313, "Invalid request. The refresh token is malformed or not valid for this client.");
        }

        return IssueUserTokens(context, state, grant, form["scope"]);
    }

    private IResult Decide(string userCode, ApprovalRequest request, Scenario scenario)
    {
        var code = _codes.Values.FirstOrDefault(c => c.UserCode.Equals(userCode, StringComparison.OrdinalIgnoreCase));
        if (code is null)
        {
            return Results.Json(new { error = $"No pending device code '{userCode}'." }, statusCode: 404);
        }

        switch (request.Action.ToLowerInvariant())
        {
            case "approve":
                code.Approver = scenario.FindPrincipalByName(request.Principal);
                if (code.Approver is null)
                {
                    return Results.Json(new { error = $"Unknown principal '{request.Principal}'." }, statusCode: 404);
                }

                code.Decision = Decision.Approved;
                break;
            case "decline":
                code.Decision = Decision.Declined;
                break;
            case "expire":
                code.ExpiresAt = DateTimeOffset.UtcNow;
                break;
            default:
                return Results.Json(new { error = "action must be approve, decline or expire." }, statusCode: 400);
        }

        return Results.NoContent();
    }

    private IResult IssueUserTokens(HttpContext context, SandboxState state, RefreshGrant grant, StringValues scope)
    {
        var principal = grant.Principal;
        context.Items[RequestLog.PrincipalItemKey] = principal.Name;
        var refreshToken = RandomText(64);
        _refreshTokens[refreshToken] = grant;
        var seconds = Math.Max(0, (long)state.TokenLifetime.TotalSeconds - 1);
        var clientInfo = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { uid = principal.ObjectId, utid = principal.TenantId }));
        return Results.Json(new
        {
            token_type = "Bearer",
            scope = scope.ToString(),
            expires_in = seconds,
            ext_expires_in = seconds,
            access_token = state.Tokens.Issue(principal, TokenIssuer.AudienceFor(scope.ToString()), state.TokenLifetime),
            refresh_token = refreshToken,
            id_token = state.Tokens.IssueIdToken(principal, grant.ClientId, state.TokenLifetime),
            client_info = clientInfo,
        });
    }

    private static string UserCode()
    {
        const string letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return new string(Enumerable.Range(0, 9).Select(_ => letters[RandomNumberGenerator.GetInt32(letters.Length)]).ToArray());
    }

    private static string RandomText(int bytes) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
