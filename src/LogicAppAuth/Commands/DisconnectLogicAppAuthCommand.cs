using System.Management.Automation;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>Forgets the sign-in chosen by Connect-LogicAppAuth; later cmdlets use the default credential chain.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "LogicAppAuth")]
    [OutputType(typeof(void))]
    public sealed class DisconnectLogicAppAuthCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            SessionStore.Clear();
            WriteVerbose("Signed out: the module's credentials and tokens were dropped from this session.");
        }
    }
}
