using System;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>What Test-LogicConnectorAuth asks of the diagnosis beyond the stored state.</summary>
public sealed class DiagnosisOptions
{
    /// <summary>List wide scopes through Azure Resource Graph (false: -NoResourceGraph, every document read from ARM).</summary>
    public bool UseResourceGraph { get; set; } = true;

    /// <summary>Call each connection's testLinks (GET), falling back to its testRequests (dynamicInvoke of a GET).</summary>
    public bool Live { get; set; }

    /// <summary>Compare the keys in built-in connections' connection strings with their targets' current keys (needs each target's listKeys action).</summary>
    public bool CheckKeys { get; set; }

    /// <summary>Scan failed runs of the workflows that use each connection for 401/403 action failures.</summary>
    public bool IncludeRunHistory { get; set; }

    /// <summary>Oldest run start scanned with <see cref="IncludeRunHistory"/>.</summary>
    public DateTimeOffset Since { get; set; } = DateTimeOffset.UtcNow.AddDays(-7);

    /// <summary>Failed runs read per workflow (newest first).</summary>
    public int MaxRunsPerWorkflow { get; set; } = 50;

    /// <summary>ARM requests in flight at once.</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>Graph $batch requests in flight at once.</summary>
    public int GraphBatchConcurrency { get; set; } = 8;

    /// <summary>The clock, for credential expiry (tests set it).</summary>
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>Counters for -Verbose and the benchmark.</summary>
public sealed class DiagnosisStatistics
{
    public int Connections { get; internal set; }
    public int ArmRequests { get; internal set; }
    public int GraphRequests { get; internal set; }
    public int GraphLookups { get; internal set; }
}
