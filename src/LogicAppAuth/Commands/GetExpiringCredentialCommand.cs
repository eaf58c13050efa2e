using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Expiry;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Lists app registration and service principal secrets and certificates, and OAuth connections' refresh tokens, that
/// have expired or expire within -WithinDays, linked to the API connections that depend on them. Scopes piped in are
/// gathered; Graph is read once at the end, and the rows come out sorted by EndDateTime.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ExpiringCredential")]
[OutputType(typeof(ExpiringCredential))]
public sealed class GetExpiringCredentialCommand : ConnectionScopeCmdlet
{
    [Parameter(Position = 0)]
    [ValidateRange(0, 36500)]
    public int WithinDays { get; set; } = CredentialWindow.DefaultWithinDays;

    [Parameter]
    public SwitchParameter ExcludeExpired { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? AppId { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? DisplayName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public CredentialKind[]? Kind { get; set; }

    [Parameter]
    public SwitchParameter NoConnectionScan { get; set; }

    [Parameter]
    public SwitchParameter NoRunHistory { get; set; }

    private readonly List<ConnectionScope> _scopes = new List<ConnectionScope>();

    protected override void ProcessRecord() => _scopes.AddRange(ReadScopes());

    protected override void EndProcessing()
    {
        _scopes.AddRange(FinalScopes());

        var options = new ExpiringCredentialOptions
        {
            WithinDays = WithinDays,
            ExcludeExpired = ExcludeExpired,
            ExactAppIds = AppId != null && AppId.All(a => !WildcardPattern.ContainsWildcardCharacters(a)) ? AppId : Array.Empty<string>(),
            Filter = Matches,
            Kinds = new HashSet<CredentialKind>(Kind ?? Array.Empty<CredentialKind>()),
            ScanConnections = !NoConnectionScan,
            ReadRunHistory = !NoRunHistory,
            UseResourceGraph = !NoResourceGraph,
            ConnectionFilter = MatchesFilters,
        };
        var session = Session;
        var target = string.Join(",", _scopes.Select(s => s.Description));
        Run(target, (sink, token) => new ExpiringCredentialScanner(session, sink, options).ScanAsync(_scopes, token));
    }

    private bool Matches(ExpiringCredential row) =>
        Wildcards.MatchesAny(AppId, row.AppId) && (DisplayName == null || Wildcards.MatchesAny(DisplayName, row.DisplayName) || Wildcards.MatchesAny(DisplayName, row.Name));

}
