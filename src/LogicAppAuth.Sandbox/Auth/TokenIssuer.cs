using System.Security.Cryptography;
using LogicAppAuth.Sandbox.Scenarios;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LogicAppAuth.Sandbox.Auth;

/// <summary>Claims of a validated sandbox token.</summary>
public sealed record TokenClaims(string Audience, string TenantId, string ObjectId, string AppId, DateTimeOffset Expires, string Issuer);

/// <summary>Issues and checks RS256 access tokens shaped like Entra ID v1 app tokens.</summary>
public sealed class TokenIssuer : IDisposable
{
    public const string ArmAudience = "https://management.azure.com/";
    public const string GraphAudience = "https://graph.microsoft.com";

    /// <summary>
    /// The sandbox's own audiences, published at /metadata/endpoints as a custom cloud (Azure Stack Hub, a private
    /// endpoint) publishes its own: a client that signs in for the sandbox asks for these, never for a public-cloud one.
    /// </summary>
    public const string SandboxArmAudience = "https://management.sandbox.logicappauth.test/";
    public const string SandboxGraphAudience = "https://graph.sandbox.logicappauth.test";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeProvider _clock;

    public TokenIssuer(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _key = new RsaSecurityKey(_rsa) { KeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(10)) };
        _credentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256);
    }

    public static string IssuerFor(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    /// <summary>Issues a token; a negative lifetime gives an already expired token.</summary>
    public string Issue(ScenarioPrincipal principal, string audience, TimeSpan lifetime, string? tenantOverride = null)
    {
        var tenantId = tenantOverride ?? principal.TenantId;
        var now = _clock.GetUtcNow();
        var expires = now + lifetime;
        var notBefore = now.AddMinutes(-5);
        if (expires <= notBefore)
        {
            notBefore = expires.AddHours(-1);
        }

        var claims = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = IssuerFor(tenantId),
            ["iat"] = notBefore.ToUnixTimeSeconds(),
            ["nbf"] = notBefore.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["appid"] = principal.AppId,
            ["appidacr"] = "1",
            ["idp"] = IssuerFor(tenantId),
            ["idtyp"] = "app",
            ["oid"] = principal.ObjectId,
            ["sub"] = principal.ObjectId,
            ["tid"] = tenantId,
            ["ver"] = "1.0",
        };
        if (IsGraphAudience(audience) && principal.GraphAppRoles.Count > 0)
        {
            claims["roles"] = principal.GraphAppRoles.ToArray();
        }

        if (principal.Kind == PrincipalKind.ManagedIdentity)
        {
            claims["xms_mirid"] = $"/subscriptions/managed/{principal.Name}";
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = _credentials,
            TokenType = "JWT",
        });
    }

    /// <summary>The OpenID Connect id token of a device-code sign-in: who signed in, for the client that asked.</summary>
    public string IssueIdToken(ScenarioPrincipal principal, string clientId, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["aud"] = clientId,
                ["iss"] = $"https://login.microsoftonline.com/{principal.TenantId}/v2.0",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
                ["name"] = principal.DisplayName,
                ["oid"] = principal.ObjectId,
                ["preferred_username"] = principal.Name,
                ["sub"] = principal.ObjectId,
                ["tid"] = principal.TenantId,
                ["ver"] = "2.0",
            },
            SigningCredentials = _credentials,
            TokenType = "JWT",
        });
    }

    /// <summary>Checks the signature only; lifetime, audience and tenant are judged by the caller so
    /// it can answer with the matching Azure error.</summary>
    public async Task<TokenClaims?> ReadAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = true,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        string Claim(string type) => jwt.TryGetPayloadValue<string>(type, out var value) ? value : "";
        var exp = jwt.TryGetPayloadValue<long>("exp", out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MinValue;
        return new TokenClaims(Claim("aud"), Claim("tid"), Claim("oid"), Claim("appid"), exp, Claim("iss"));
    }

    public static bool IsArmAudience(string audience) => audience.TrimEnd('/') is
        "https://management.azure.com" or "https://management.core.windows.net" or "https://management.sandbox.logicappauth.test";

    public static bool IsGraphAudience(string audience) => audience.TrimEnd('/') is
        "https://graph.microsoft.com" or "00000003-0000-0000-c000-000000000000" or SandboxGraphAudience;

    /// <summary>Maps an OAuth scope or MSI resource to the audience Entra puts in the token.</summary>
    public static string AudienceFor(string scopeOrResource)
    {
        var resource = scopeOrResource.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (resource.EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
        {
            resource = resource[..^"/.default".Length];
        }

        if (IsGraphAudience(resource))
        {
            return resource.TrimEnd('/') == SandboxGraphAudience ? SandboxGraphAudience : GraphAudience;
        }

        return IsArmAudience(resource) ? resource.TrimEnd('/') + "/" : resource;
    }

    public void Dispose() => _rsa.Dispose();
}
