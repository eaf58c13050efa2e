using System.Security.Cryptography;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>Everything the routes share for one sandbox instance.</summary>
public sealed class SandboxState : IDisposable
{
    public SandboxState(SandboxOptions options, Scenario scenario)
    {
        Options = options;
        Scenario = scenario;
        Store = ScenarioSeeder.CreateStore(scenario);
        Rbac = new Rbac(Store);
        Scenarios.RunHistorySeeder.Seed(this);
    }

    public SandboxOptions Options { get; }

    public Scenario Scenario { get; }

    public ResourceStore Store { get; }

    public Rbac Rbac { get; }

    public TokenIssuer Tokens { get; } = new();

    public DeviceCodeFlow DeviceCodes { get; } = new();

    public RequestLog Log { get; } = new();

    /// <summary>Test hook: saves a change to a resource as a chosen read of it is answered.</summary>
    public ConcurrentWriter ConcurrentWriter { get; } = new();

    /// <summary>Start time, the sandbox's own address, consent codes.</summary>
    public SandboxRuntime Runtime { get; } = new();

    /// <summary>Secret the managed-identity endpoint expects in X-IDENTITY-HEADER.</summary>
    public string IdentityHeader { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Port of the plain-HTTP managed-identity listener, known once Kestrel has bound it.</summary>
    public int IdentityPort { get; set; }

    public TimeSpan TokenLifetime => TimeSpan.FromSeconds(Options.TokenLifetimeSeconds);

    public void Dispose() => Tokens.Dispose();
}
