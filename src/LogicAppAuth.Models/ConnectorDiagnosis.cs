using System;

namespace LogicAppAuth;

/// <summary>
/// The diagnosis of one API connection: whether it is healthy, the root cause when it is not, what was seen,
/// and the command that fixes it. Flat by contract: scalar properties only; lists are ';'-joined.
/// </summary>
public sealed class ConnectorDiagnosis
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public string ApiName { get; set; } = "";
    public string Kind { get; set; } = "";
    public bool Healthy { get; set; }
    public DiagnosisCause Cause { get; set; }

    /// <summary>Every cause that applies, ';'-joined in the order of precedence.</summary>
    public string AllCauses { get; set; } = "";

    public DiagnosisSeverity Severity { get; set; }

    /// <summary>What was seen, in one line: status codes, AADSTS codes, account state, tenant ids, roles.</summary>
    public string Evidence { get; set; } = "";

    public string Remediation { get; set; } = "";

    /// <summary>A runnable command line that fixes the cause for this connection, or "".</summary>
    public string RemediationCommand { get; set; } = "";

    /// <summary>Checks that could not run (and why), ';'-joined; a connection with skipped checks is never called healthy.</summary>
    public string SkippedChecks { get; set; } = "";

    public ConnectionStatus Status { get; set; }
    public AuthenticationType AuthenticationType { get; set; }
    public string AuthenticatedUser { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string UsedBy { get; set; } = "";
    public int UsedByCount { get; set; }

    /// <summary>The live test's outcome (-Live): e.g. "testLinks GET 200", or "" when not run.</summary>
    public string LiveTest { get; set; } = "";

    /// <summary>Failed runs with 401/403 actions on this connection since -Since (-IncludeRunHistory); null when not scanned.</summary>
    public int? FailedRunCount { get; set; }

    public DateTimeOffset? LastFailedRunTime { get; set; }
    public bool Exists { get; set; } = true;
}
