using LogicAppAuth.Engine.Auth;
using LogicAppAuth.Engine.Session;
using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

/// <summary>One in-process contoso sandbox for the engine tests of a class, and engine sessions (as a named principal) that reach it.</summary>
public sealed class ContosoSessionFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await SandboxHost.StartAsync(new SandboxOptions { Scenario = "contoso" });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public AzureSession Session(string principal = "admin") => AzureSession.Create(new SignInRequest
    {
        Method = SignInMethod.AccessToken,
        AccessToken = Host.IssueToken(principal),
        MicrosoftGraphAccessToken = Host.IssueToken(principal, "https://graph.microsoft.com"),
        ResourceManagerUrl = Host.Endpoint,
        GraphUrl = Host.Endpoint,
        TrustedCertificatePath = Host.Info.CertificatePath,
    });
}
