using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Diagnosis;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Diagnoses API connections: the root cause of an authentication failure, the evidence, and the command that fixes it.
/// Takes the same scopes as Get-LogicConnectorStatus and diagnoses what its inventory finds. Piped resource ids are
/// diagnosed in chunks, so that Graph look-ups are batched and shared across them.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LogicConnectorAuth")]
[OutputType(typeof(ConnectorDiagnosis))]
public sealed class TestLogicConnectorAuthCommand : ConnectionScopeCmdlet
{
    private const int ChunkSize = 200;
    private readonly List<string> _pendingIds = new List<string>();
    private readonly HashSet<string> _queuedIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    private ConnectorDiagnostician? _diagnostician;

    [Parameter]
    public SwitchParameter Live { get; set; }

    [Parameter]
    public SwitchParameter IncludeRunHistory { get; set; }

    [Parameter]
    public DateTime Since { get; set; }

    [Parameter]
    public SwitchParameter CheckKeys { get; set; }

    protected override void BeginProcessing()
    {
        bool since = MyInvocation.BoundParameters.ContainsKey(nameof(Since));
        var options = new DiagnosisOptions
        {
            Live = Live,
            IncludeRunHistory = IncludeRunHistory || since,
            UseResourceGraph = !NoResourceGraph,
            CheckKeys = CheckKeys,
        };
        if (since)
        {
            options.Since = new DateTimeOffset(Since.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(Since, DateTimeKind.Local) : Since);
        }

        _diagnostician = new ConnectorDiagnostician(Session, options);
    }

    protected override void ProcessRecord() => Diagnose(ReadScopes());

    protected override void EndProcessing()
    {
        Diagnose(FinalScopes());
        Flush();
    }

    private void Diagnose(IEnumerable<ConnectionScope> scopes)
    {
        var engine = _diagnostician!;
        foreach (var scope in scopes)
        {
            if (scope.Kind == ConnectionScopeKind.ResourceId)
            {
                Queue(scope.ResourceId);
            }
            else if (scope.Kind == ConnectionScopeKind.ResourceGroup && NamedConnections(scope) is IReadOnlyList<string> named)
            {
                named.ToList().ForEach(Queue);
            }
            else
            {
                Flush();
                Run(scope.Description, (sink, token) => engine.DiagnoseAsync(scope, MatchesFilters, sink, token));
            }
        }
    }

    /// <summary>With -Name naming connections exactly (no wildcards) in one known subscription, their ids: read directly instead of listing the group.</summary>
    private IReadOnlyList<string>? NamedConnections(ConnectionScope scope)
    {
        var subscriptions = scope.SubscriptionIds;
        var subscription = subscriptions.Count == 1 ? subscriptions[0] : subscriptions.Count == 0 ? Session.DefaultSubscriptionId : "";
        if (Name == null || Name.Any(WildcardPattern.ContainsWildcardCharacters) || subscription.Length == 0)
        {
            return null;
        }

        return Name.Select(name => $"/subscriptions/{subscription}/resourceGroups/{scope.ResourceGroupName}/providers/Microsoft.Web/connections/{name.Trim()}").ToList();
    }

    /// <summary>Ids piped one by one are diagnosed together, a chunk at a time, so that their look-ups are shared and batched.</summary>
    private void Queue(string resourceId)
    {
        // One diagnosis per id per call, however often it is piped in (not only within one chunk).
        if (!_queuedIds.Add(resourceId.TrimEnd('/')))
        {
            return;
        }

        _pendingIds.Add(resourceId);
        if (_pendingIds.Count >= ChunkSize)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (_pendingIds.Count == 0)
        {
            return;
        }

        var chunk = _pendingIds.ToList();
        _pendingIds.Clear();
        var engine = _diagnostician!;
        Run(chunk.Count == 1 ? chunk[0] : $"{chunk.Count} connections", (sink, token) => engine.DiagnoseResourceIdsAsync(chunk, MatchesFilters, sink, token));
    }
}
