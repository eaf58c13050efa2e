using System;
using System.Management.Automation;
using System.Security;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Auth;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>Chooses how the module signs in to Azure for the rest of the runspace (in the first runspace: the process default).</summary>
[Cmdlet(VerbsCommunications.Connect, "LogicAppAuth", DefaultParameterSetName = ChainSet)]
[OutputType(typeof(AuthContext))]
public sealed class ConnectLogicAppAuthCommand : LogicAppAuthCmdlet
{
    private const string ChainSet = "CredentialChain";
    private const string IdentitySet = "Identity";
    private const string SecretSet = "ServicePrincipalSecret";
    private const string CertificateSet = "ServicePrincipalCertificate";
    private const string TokenSet = "AccessToken";
    private const string DeviceCodeSet = "DeviceCode";

    // Where the device-code instructions go while this call signs in: the warning stream, as Connect-AzAccount shows them.
    private IOperationSink? _promptSink;

    [Parameter(ParameterSetName = IdentitySet, Mandatory = true)]
    public SwitchParameter Identity { get; set; }

    [Parameter(ParameterSetName = SecretSet, Mandatory = true)]
    [Parameter(ParameterSetName = CertificateSet, Mandatory = true)]
    public SwitchParameter ServicePrincipal { get; set; }

    [Parameter(ParameterSetName = ChainSet)]
    [Parameter(ParameterSetName = SecretSet, Mandatory = true)]
    [Parameter(ParameterSetName = CertificateSet, Mandatory = true)]
    [Parameter(ParameterSetName = TokenSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [ValidateNotNullOrEmpty]
    [Alias("Tenant")]
    public string? TenantId { get; set; }

    [Parameter(ParameterSetName = IdentitySet)]
    [Parameter(ParameterSetName = SecretSet, Mandatory = true)]
    [Parameter(ParameterSetName = CertificateSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [Alias("ApplicationId")]
    public string? ClientId { get; set; }

    [Parameter(ParameterSetName = SecretSet, Mandatory = true)]
    [SecureStringTransformation]
    public SecureString? ClientSecret { get; set; }

    [Parameter(ParameterSetName = CertificateSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter(ParameterSetName = TokenSet, Mandatory = true)]
    [SecureStringTransformation]
    public SecureString? AccessToken { get; set; }

    [Parameter(ParameterSetName = TokenSet)]
    [SecureStringTransformation]
    public SecureString? MicrosoftGraphAccessToken { get; set; }

    [Parameter(ParameterSetName = DeviceCodeSet, Mandatory = true)]
    [Alias("DeviceCode", "DeviceAuth", "Device")]
    public SwitchParameter UseDeviceAuthentication { get; set; }

    [Parameter]
    [ValidateSet(CloudEnvironment.AzureCloud, CloudEnvironment.AzureUSGovernment, CloudEnvironment.AzureChinaCloud)]
    public string Environment { get; set; } = CloudEnvironment.AzureCloud;

    [Parameter]
    [ValidateNotNull]
    public Uri? ResourceManagerUrl { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? GraphUrl { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? AuthorityHost { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TrustedCertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Subscription")]
    public string? SubscriptionId { get; set; }

    /// <summary>The token audience of a custom -ResourceManagerUrl (otherwise read from its /metadata/endpoints).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResourceManagerAudience { get; set; }

    /// <summary>The token audience of a custom -GraphUrl (otherwise read from the Resource Manager endpoint's /metadata/endpoints).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? GraphAudience { get; set; }

    protected override void EndProcessing()
    {
        AzureSession session;
        try
        {
            session = AzureSession.Create(BuildRequest());
        }
        catch (Exception e) when (e is LogicAppAuthException || e is ArgumentException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(Cleared(e is LogicAppAuthException known
                ? known
                : new LogicAppAuthException("InvalidSignInParameter", FailureKind.InvalidArgument, e.Message))));
            return;
        }

        Run(session.Cloud.AuthorityHost.AbsoluteUri, async (sink, cancellationToken) =>
        {
            _promptSink = sink;
            AuthContext context;
            try
            {
                context = await session.VerifyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                throw Cleared(ExceptionTranslator.Translate(e, session.Cloud.AuthorityHost.AbsoluteUri));
            }

            RunspaceSessions.Set(CallerRunspace, session);
            sink.WriteVerbose($"Signed in to {context.Environment} as {context.Account} (tenant {context.TenantId}) with {context.AuthenticationMethod}.");
            sink.WriteObject(context);
        });
    }

    /// <summary>A failed sign-in leaves no session behind (not the earlier one, not the default chain), and its error says so.</summary>
    private LogicAppAuthException Cleared(LogicAppAuthException error)
    {
        RunspaceSessions.MarkSignInFailed(CallerRunspace);
        return new LogicAppAuthException(error.ErrorId, error.Kind,
            $"{error.Message} The earlier session was cleared: until Connect-LogicAppAuth succeeds (or Disconnect-LogicAppAuth is run), the other cmdlets refuse to run.",
            error.Target, error) { HttpStatus = error.HttpStatus };
    }

    private SignInRequest BuildRequest()
    {
        if (SubscriptionId != null && !Guid.TryParse(SubscriptionId, out _))
        {
            throw new LogicAppAuthException("InvalidSubscriptionId", FailureKind.InvalidArgument,
                $"'{SubscriptionId}' is not a subscription id. Give the subscription's GUID (Get-AzSubscription shows it).", SubscriptionId);
        }

        return new SignInRequest
        {
            Method = MethodFor(ParameterSetName),
            TenantId = TenantId,
            ClientId = ClientId,
            ClientSecret = SecureStrings.Reveal(ClientSecret),
            CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath),
            AccessToken = SecureStrings.Reveal(AccessToken),
            MicrosoftGraphAccessToken = SecureStrings.Reveal(MicrosoftGraphAccessToken),
            Environment = Environment,
            ResourceManagerUrl = ResourceManagerUrl,
            GraphUrl = GraphUrl,
            AuthorityHost = AuthorityHost,
            ResourceManagerAudience = ResourceManagerAudience,
            GraphAudience = GraphAudience,
            TrustedCertificatePath = TrustedCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(TrustedCertificatePath),
            SubscriptionId = SubscriptionId,
            DeviceCodePrompt = message => _promptSink?.WriteWarning(message),
        };
    }

    private static SignInMethod MethodFor(string parameterSet)
    {
        switch (parameterSet)
        {
            case IdentitySet: return SignInMethod.ManagedIdentity;
            case SecretSet: return SignInMethod.ServicePrincipalSecret;
            case CertificateSet: return SignInMethod.ServicePrincipalCertificate;
            case TokenSet: return SignInMethod.AccessToken;
            case DeviceCodeSet: return SignInMethod.DeviceCode;
            default: return SignInMethod.CredentialChain;
        }
    }
}
