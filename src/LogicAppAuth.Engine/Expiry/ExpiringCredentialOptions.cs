using System;
using System.Collections.Generic;

namespace LogicAppAuth.Engine.Expiry;

/// <summary>What Get-ExpiringCredential asked for.</summary>
public sealed class ExpiringCredentialOptions
{
    public int WithinDays { get; set; } = CredentialWindow.DefaultWithinDays;
    public bool ExcludeExpired { get; set; }

    /// <summary>App ids without wildcards: sent to Graph as <c>$filter=appId in (...)</c> instead of listing every app.</summary>
    public IReadOnlyList<string> ExactAppIds { get; set; } = Array.Empty<string>();

    /// <summary>Further filtering of rows (wildcards on AppId/DisplayName are matched by the cmdlet layer).</summary>
    public Func<ExpiringCredential, bool> Filter { get; set; } = _ => true;

    /// <summary>The kinds to list; empty means all three.</summary>
    public ISet<CredentialKind> Kinds { get; set; } = new HashSet<CredentialKind>();

    /// <summary>Read the scope's connections (UsedBy links and OAuthConsent rows).</summary>
    public bool ScanConnections { get; set; } = true;

    /// <summary>Read run history for the OAuthConsent estimate (otherwise changedTime only).</summary>
    public bool ReadRunHistory { get; set; } = true;

    public bool UseResourceGraph { get; set; } = true;

    /// <summary>Which connections of the scope count (-Name, -ApiName); null: all.</summary>
    public Func<ConnectorStatus, bool>? ConnectionFilter { get; set; }

    /// <summary>The clock; tests pin it.</summary>
    public DateTimeOffset? Now { get; set; }

    internal bool Wants(CredentialKind kind) => Kinds.Count == 0 || Kinds.Contains(kind);
}
