using System.Collections.Generic;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>Lists API connections with their status, how they authenticate, and which workflows and Standard apps use them.</summary>
[Cmdlet(VerbsCommon.Get, "LogicConnectorStatus")]
[OutputType(typeof(ConnectorStatus))]
public sealed class GetLogicConnectorStatusCommand : ConnectionScopeCmdlet
{
    private InventoryOptions _options = new InventoryOptions();

    protected override void BeginProcessing() => _options = new InventoryOptions(useResourceGraph: !NoResourceGraph);

    protected override void ProcessRecord() => List(ReadScopes());

    protected override void EndProcessing() => List(FinalScopes());

    private void List(IEnumerable<ConnectionScope> scopes)
    {
        foreach (var scope in scopes)
        {
            var session = Session;
            Run(scope.Description, (sink, token) => scope.ListAsync(new ConnectorInventory(session, sink, _options, MatchesFilters), token));
        }
    }
}
