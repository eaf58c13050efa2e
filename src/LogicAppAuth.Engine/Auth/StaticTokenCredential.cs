using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;

namespace LogicAppAuth.Engine.Auth;

/// <summary>A credential that hands out one token the caller already has (-AccessToken, -MicrosoftGraphAccessToken).</summary>
internal sealed class StaticTokenCredential : TokenCredential
{
    private readonly AccessToken _token;

    public StaticTokenCredential(string token)
    {
        var expiresOn = JwtClaims.TryRead(token)?.ExpiresOn ?? DateTimeOffset.UtcNow.AddHours(1);
        _token = new AccessToken(token, expiresOn);
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => _token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new ValueTask<AccessToken>(_token);
}
