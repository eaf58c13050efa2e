using System;
using System.IO;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Http;

namespace LogicAppAuth.Engine.Auth;

/// <summary>Turns a sign-in request into Azure.Identity credentials that use the session's transport.</summary>
internal static class CredentialFactory
{
    public static TokenCredential CreateResourceManagerCredential(SignInRequest request, CloudEnvironment cloud, HttpPipelineFactory http)
    {
        switch (request.Method)
        {
            case SignInMethod.AccessToken:
                return new StaticTokenCredential(Require(request.AccessToken, "AccessToken"));
            case SignInMethod.ManagedIdentity:
                var identity = string.IsNullOrEmpty(request.ClientId)
                    ? ManagedIdentityId.SystemAssigned
                    : ManagedIdentityId.FromUserAssignedClientId(request.ClientId!);
                return new ManagedIdentityCredential(http.Configure(new ManagedIdentityCredentialOptions(identity) { AuthorityHost = cloud.AuthorityHost }));
            case SignInMethod.ServicePrincipalSecret:
                return new ClientSecretCredential(Require(request.TenantId, "TenantId"), Require(request.ClientId, "ClientId"),
                    Require(request.ClientSecret, "ClientSecret"),
                    http.Configure(new ClientSecretCredentialOptions { AuthorityHost = cloud.AuthorityHost, DisableInstanceDiscovery = IsCustomAuthority(request) }));
            case SignInMethod.ServicePrincipalCertificate:
                var path = Require(request.CertificatePath, "CertificatePath");
                if (!File.Exists(path))
                {
                    throw new LogicAppAuthException("CertificateFileNotFound", FailureKind.InvalidArgument,
                        $"The certificate file '{path}' does not exist. Give a PFX or PEM file that holds the certificate and its private key.", path);
                }

                return new ClientCertificateCredential(Require(request.TenantId, "TenantId"), Require(request.ClientId, "ClientId"), path,
                    http.Configure(new ClientCertificateCredentialOptions { AuthorityHost = cloud.AuthorityHost, DisableInstanceDiscovery = IsCustomAuthority(request) }));
            case SignInMethod.DeviceCode:
                return CreateDeviceCode(request, cloud, http);
            default:
                return CreateChain(request, cloud, http);
        }
    }

    public static TokenCredential? CreateGraphCredential(SignInRequest request, TokenCredential resourceManagerCredential)
    {
        if (!string.IsNullOrEmpty(request.MicrosoftGraphAccessToken))
        {
            return new StaticTokenCredential(request.MicrosoftGraphAccessToken!);
        }

        return request.Method == SignInMethod.AccessToken ? null : resourceManagerCredential;
    }

    /// <summary>
    /// Azure.Identity's chain without the two members that hurt unattended use: interactive browser sign-in, and
    /// the IMDS probe of managed identity on machines that are not in Azure (it waits for a timeout). Managed
    /// identity stays in the chain where the host says it offers one (App Service, Functions, Automation, Arc).
    /// </summary>
    private static TokenCredential CreateChain(SignInRequest request, CloudEnvironment cloud, HttpPipelineFactory http)
    {
        bool hostOffersIdentity = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MSI_ENDPOINT"));
        var options = http.Configure(new DefaultAzureCredentialOptions
        {
            AuthorityHost = cloud.AuthorityHost,
            ExcludeInteractiveBrowserCredential = true,
            ExcludeManagedIdentityCredential = !hostOffersIdentity,
            ExcludeVisualStudioCredential = true,
            ExcludeVisualStudioCodeCredential = true,
            DisableInstanceDiscovery = IsCustomAuthority(request),
        });
        if (!string.IsNullOrEmpty(request.TenantId))
        {
            options.TenantId = request.TenantId;
        }

        return new DefaultAzureCredential(options);
    }

    /// <summary>
    /// Device-code sign-in. Only Connect-LogicAppAuth asks the person (AuthenticateAsync); every later token comes
    /// silently from that sign-in's refresh token, so a cmdlet never waits for someone who is not looking.
    /// </summary>
    private static DeviceCodeCredential CreateDeviceCode(SignInRequest request, CloudEnvironment cloud, HttpPipelineFactory http)
    {
        var options = http.Configure(new DeviceCodeCredentialOptions
        {
            AuthorityHost = cloud.AuthorityHost,
            DisableInstanceDiscovery = IsCustomAuthority(request),
            DisableAutomaticAuthentication = true,
            DeviceCodeCallback = (info, cancellationToken) =>
            {
                request.DeviceCodePrompt?.Invoke(info.Message);
                return Task.CompletedTask;
            },
        });
        if (!string.IsNullOrEmpty(request.TenantId))
        {
            options.TenantId = request.TenantId;
        }

        return new DeviceCodeCredential(options);
    }

    private static bool IsCustomAuthority(SignInRequest request) => request.AuthorityHost != null;

    private static string Require(string? value, string parameter) =>
        string.IsNullOrEmpty(value)
            ? throw new LogicAppAuthException("MissingSignInParameter", FailureKind.InvalidArgument, $"-{parameter} is required for this way of signing in.", parameter)
            : value!;
}
