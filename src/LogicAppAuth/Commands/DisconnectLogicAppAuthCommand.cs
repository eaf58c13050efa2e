using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LogicAppAuth.Commands.Infrastructure;

namespace LogicAppAuth.Commands;

/// <summary>
/// Forgets the sign-in that Connect-LogicAppAuth chose in this runspace. In the primary runspace that is the process
/// default, and later cmdlets use the default credential chain; in another runspace, they use the process default again.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "LogicAppAuth")]
[OutputType(typeof(void))]
public sealed class DisconnectLogicAppAuthCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        RunspaceSessions.Clear(Runspace.DefaultRunspace);
        WriteVerbose("Signed out: the module's credentials and tokens were dropped from this runspace.");
    }
}
