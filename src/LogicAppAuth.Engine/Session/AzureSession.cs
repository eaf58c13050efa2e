using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Auth;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Http;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Session;

/// <summary>How the module reaches Azure for the rest of the PowerShell session: endpoints, credentials and one HTTP stack.</summary>
public sealed class AzureSession
{
    private readonly TokenCredential _resourceManagerCredential;
    private readonly TokenCredential? _graphCredential;
    private readonly HttpPipeline _resourceManagerPipeline;
    private readonly SignInMethod _method;
    private readonly string? _requestedTenant;

    private AzureSession(SignInRequest request, CloudEnvironment cloud, HttpPipelineFactory http, TrustedCertificate? trusted)
    {
        Cloud = cloud;
        _method = request.Method;
        _requestedTenant = request.TenantId;
        DefaultSubscriptionId = request.SubscriptionId ?? "";
        TrustedCertificateThumbprint = trusted?.Thumbprint ?? "";
        _resourceManagerCredential = CredentialFactory.CreateResourceManagerCredential(request, cloud, http);
        _graphCredential = CredentialFactory.CreateGraphCredential(request, _resourceManagerCredential);
        _resourceManagerPipeline = http.CreateBearerPipeline(_resourceManagerCredential, cloud.ResourceManagerScope);
        GraphPipeline = _graphCredential == null ? null : http.CreateBearerPipeline(_graphCredential, cloud.GraphScope);
    }

    public CloudEnvironment Cloud { get; }
    public string DefaultSubscriptionId { get; }
    public string TrustedCertificateThumbprint { get; }
    internal HttpPipeline? GraphPipeline { get; }

    /// <summary>Builds a session; nothing is sent until a token is asked for, except a custom endpoint's metadata when its audience was not given.</summary>
    public static AzureSession Create(SignInRequest request)
    {
        var cloud = CloudEnvironment.Create(request.Environment, request.ResourceManagerUrl, request.GraphUrl, request.AuthorityHost);
        var trusted = string.IsNullOrEmpty(request.TrustedCertificatePath) ? null : TrustedCertificate.Load(request.TrustedCertificatePath!, cloud.OverriddenHosts);
        var http = new HttpPipelineFactory(trusted);
        return new AzureSession(request, TokenAudiences.Resolve(request, cloud, http), http, trusted);
    }

    /// <summary>
    /// A Resource Manager token request as the pipeline's bearer policy makes it, CAE included: Azure.Identity keeps
    /// CAE and other tokens in separate caches, so a device-code sign-in made without it would not serve the pipeline.
    /// </summary>
    private TokenRequestContext ResourceManagerTokenContext =>
        new TokenRequestContext(new[] { Cloud.ResourceManagerScope }, tenantId: _requestedTenant, isCaeEnabled: true);

    internal ArmRestClient Arm(IOperationSink log) => Arm(new RequestScope(log));

    /// <summary>An ARM client whose requests are logged, counted and bounded by <paramref name="scope"/>.</summary>
    internal ArmRestClient Arm(RequestScope scope) => new ArmRestClient(_resourceManagerPipeline, Cloud.ResourceManagerUrl, scope);

    /// <summary>The tenant and object id of the signed-in identity, read from its Resource Manager token (consent names the user by them).</summary>
    internal async Task<(string TenantId, string ObjectId)> SignedInIdentityAsync(CancellationToken cancellationToken)
    {
        var token = await _resourceManagerCredential.GetTokenAsync(ResourceManagerTokenContext, cancellationToken).ConfigureAwait(false);
        var claims = JwtClaims.TryRead(token.Token);
        return (claims?.TenantId ?? _requestedTenant ?? "", claims?.ObjectId ?? "");
    }

    /// <summary>Gets a Resource Manager token now, so that a bad credential fails at sign-in rather than in the middle of a run.</summary>
    public async Task<AuthContext> VerifyAsync(CancellationToken cancellationToken)
    {
        AccessToken token;
        var context = ResourceManagerTokenContext;
        try
        {
            if (_resourceManagerCredential is DeviceCodeCredential deviceCode)
            {
                await deviceCode.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
            }

            token = await _resourceManagerCredential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException))
        {
            throw ExceptionTranslator.Translate(e, Cloud.AuthorityHost.AbsoluteUri);
        }

        var claims = JwtClaims.TryRead(token.Token);
        return new AuthContext
        {
            Environment = Cloud.Name,
            AuthenticationMethod = _method.ToString(),
            Account = claims?.Account ?? "",
            TenantId = string.IsNullOrEmpty(claims?.TenantId) ? _requestedTenant ?? "" : claims!.TenantId,
            SubscriptionId = DefaultSubscriptionId,
            ResourceManagerUrl = Cloud.ResourceManagerUrl.AbsoluteUri,
            GraphUrl = Cloud.GraphUrl.AbsoluteUri,
            AuthorityHost = Cloud.AuthorityHost.AbsoluteUri,
            TrustedCertificateThumbprint = TrustedCertificateThumbprint,
        };
    }
}
