using System.Security.Cryptography;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>Everything the routes share for one sandbox instance.</summary>
public sealed class SandboxState : IDisposable
{
    public SandboxState(SandboxOptions options, Scenario scenario, SandboxClock? clock = null)
    {
        Options = options;
        Scenario = scenario;
        Clock = clock ?? new SandboxClock(options.Now);
        Tokens = new TokenIssuer(Clock);
        Store = ScenarioSeeder.CreateStore(scenario);
        Rbac = new Rbac(Store);
        Scenarios.RunHistorySeeder.Seed(this);
    }

    public SandboxOptions Options { get; }

    public Scenario Scenario { get; }

    public ResourceStore Store { get; }

    public Rbac Rbac { get; }

    /// <summary>The sandbox's time: every scenario time is placed relative to its anchor.</summary>
    public SandboxClock Clock { get; }

    public TokenIssuer Tokens { get; }

    public DeviceCodeFlow DeviceCodes { get; } = new();

    public RequestLog Log { get; } = new();

    /// <summary>Test hook: saves a change to a resource as a chosen read of it is answered.</summary>
    public ConcurrentWriter ConcurrentWriter { get; } = new();

    /// <summary>Writes answered 202 and finished when their operation is polled (the scenario's asyncWrites).</summary>
    public AsyncWrites AsyncWrites { get; } = new();

    /// <summary>The sandbox's own address, consent codes, which run histories are seeded.</summary>
    public SandboxRuntime Runtime { get; } = new();

    /// <summary>Secret the managed-identity endpoint expects in X-IDENTITY-HEADER.</summary>
    public string IdentityHeader { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Port of the plain-HTTP managed-identity listener, known once Kestrel has bound it.</summary>
    public int IdentityPort { get; set; }

    public TimeSpan TokenLifetime => TimeSpan.FromSeconds(Options.TokenLifetimeSeconds);

    public void Dispose() => Tokens.Dispose();
}
