using LogicAppAuth.Engine.Auth;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;
using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

/// <summary>One in-process contoso sandbox for the engine tests of a class, and sessions that reach it.</summary>
public sealed class SandboxFixture : IAsyncLifetime
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

/// <summary>Collects what an engine operation reports.</summary>
public sealed class CollectingSink : IOperationSink
{
    private readonly object gate = new();

    public List<object> Objects { get; } = new();
    public List<LogicAppAuthException> Errors { get; } = new();
    public List<string> Warnings { get; } = new();

    public void WriteObject(object item) { lock (gate) { Objects.Add(item); } }
    public void WriteError(LogicAppAuthException error) { lock (gate) { Errors.Add(error); } }
    public void WriteWarning(string message) { lock (gate) { Warnings.Add(message); } }
    public void WriteVerbose(string message) { }
    public void WriteDebug(string message) { }
    public void WriteProgress(OperationProgress progress) { }
}
