using System;

namespace LogicAppAuth.Engine.Auth;

public enum SignInMethod
{
    CredentialChain,
    ManagedIdentity,
    ServicePrincipalSecret,
    ServicePrincipalCertificate,
    AccessToken,
    DeviceCode,
}

/// <summary>Everything Connect-LogicAppAuth was told. Secrets are plain strings only for the moment they are handed to Azure.Identity.</summary>
public sealed class SignInRequest
{
    public SignInMethod Method { get; set; }
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? CertificatePath { get; set; }
    public string? AccessToken { get; set; }
    public string? MicrosoftGraphAccessToken { get; set; }
    public string? Environment { get; set; }
    public Uri? ResourceManagerUrl { get; set; }
    public Uri? GraphUrl { get; set; }
    public Uri? AuthorityHost { get; set; }

    /// <summary>The token audience for a custom -ResourceManagerUrl, when its metadata does not name one.</summary>
    public string? ResourceManagerAudience { get; set; }

    /// <summary>The token audience for a custom -GraphUrl, when the metadata does not name one.</summary>
    public string? GraphAudience { get; set; }
    public string? TrustedCertificatePath { get; set; }
    public string? SubscriptionId { get; set; }

    /// <summary>Shows the device-code sign-in's instructions (the URL and the user code) to the person at the terminal.</summary>
    public Action<string>? DeviceCodePrompt { get; set; }
}
