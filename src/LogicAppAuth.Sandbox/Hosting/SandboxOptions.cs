namespace LogicAppAuth.Sandbox.Hosting;

public sealed class SandboxOptions
{
    /// <summary>Built-in scenario name (Scenarios/&lt;name&gt;.json) or a path to a scenario file.</summary>
    public string Scenario { get; set; } = "contoso";

    /// <summary>Where to write the ready-file; none when null.</summary>
    public string? ReadyFile { get; set; }

    /// <summary>Where sandbox-cert.pem goes; defaults to the ready-file's folder, else a temp folder.</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>The sandbox's "now" at start (every scenario time is relative to it); the real time when null.</summary>
    public DateTimeOffset? Now { get; set; }

    /// <summary>Delay before every ARM and Graph answer.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Page size of every list route; null means Azure's defaults (50 ARM, 100 Graph).</summary>
    public int? PageSize { get; set; }

    /// <summary>Lifetime of tokens from the token and managed-identity endpoints.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Generator parameters (<c>subscriptions=10,connections=10000,...</c>) used instead of <see cref="Scenario"/>; see Scenarios/README.md.</summary>
    public string? Generate { get; set; }

    /// <summary>Resource Graph queries each principal may send per 5-second window.</summary>
    public int ResourceGraphQuota { get; set; } = 15;

    /// <summary>Most subscriptions one Resource Graph request may name (the documented 1,000); more is 400.</summary>
    public int ResourceGraphMaxSubscriptions { get; set; } = 1000;

    /// <summary>Most subscriptions a management-group query searches; beyond it the answer holds only these
    /// and carries <c>x-ms-tenant-subscription-limit-hit: true</c>.</summary>
    public int ResourceGraphTenantSubscriptionLimit { get; set; } = 5000;

    /// <summary>When set, every Resource Graph query is refused with 403 AuthorizationFailed.</summary>
    public bool ResourceGraphDisabled { get; set; }

    /// <summary>Every Nth Graph request answers 429 with Retry-After: 1 (0: never); see Graph/GraphThrottle.cs.</summary>
    public int GraphThrottleEvery { get; set; }

    /// <summary>Fault profiles, comma-separated (throttle, server-errors, resets, slow, short-tokens, arg-quota); see Faults/FaultInjector.cs.</summary>
    public string? Faults { get; set; }

    /// <summary>Seed of the fault schedule: the same seed and the same requests in the same order meet the same faults.</summary>
    public int FaultSeed { get; set; } = 1;

    /// <summary>How long the <c>slow</c> profile holds a request.</summary>
    public int FaultSlowMs { get; set; } = 3000;

    public int ArmPageSize => PageSize ?? 50;

    public int GraphPageSize => PageSize ?? 100;
}
