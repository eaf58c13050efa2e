using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using LogicAppAuth.Engine.Auth;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>
/// The sign-in of each runspace. Connect-LogicAppAuth in the primary runspace (see <see cref="PrimaryRunspace"/>)
/// sets the process default; in any other runspace (ForEach-Object -Parallel, Start-ThreadJob, a runspace pool) it
/// sets that runspace's own session, which nothing else sees. A runspace without its own Connect uses the process
/// default, and without one Azure.Identity's credential chain. Disconnect-LogicAppAuth clears the caller's own
/// session (in the primary runspace: the process default), so a secondary runspace goes back to the default.
/// After a failed Connect the caller's slot holds no session but a refusal: calls are refused until a Connect
/// succeeds or Disconnect is run, so that a script that goes on after the failure never works as an earlier
/// identity or whatever the default chain finds.
/// </summary>
internal static class RunspaceSessions
{
    private sealed class Slot
    {
        internal AzureSession? Session;
        internal bool SignInFailed;
    }

    private static readonly object Gate = new object();
    private static readonly ConditionalWeakTable<Runspace, Slot> OwnSlots = new ConditionalWeakTable<Runspace, Slot>();
    private static readonly Slot ProcessDefault = new Slot();
    private static AzureSession? _credentialChain;

    internal static bool SignInFailed(Runspace? runspace)
    {
        lock (Gate) { return SlotFor(runspace).SignInFailed; }
    }

    internal static AzureSession Current(Runspace? runspace)
    {
        lock (Gate)
        {
            return SlotFor(runspace).Session
                ?? (_credentialChain ??= AzureSession.Create(new SignInRequest { Method = SignInMethod.CredentialChain }));
        }
    }

    internal static void Set(Runspace? runspace, AzureSession session)
    {
        lock (Gate)
        {
            var slot = WritableSlot(runspace);
            slot.Session = session;
            slot.SignInFailed = false;
        }
    }

    internal static void MarkSignInFailed(Runspace? runspace)
    {
        lock (Gate)
        {
            var slot = WritableSlot(runspace);
            slot.Session = null;
            slot.SignInFailed = true;
        }
    }

    internal static void Clear(Runspace? runspace)
    {
        lock (Gate)
        {
            if (runspace == null || PrimaryRunspace.Is(runspace))
            {
                ProcessDefault.Session = null;
                ProcessDefault.SignInFailed = false;
                _credentialChain = null;
            }

            if (runspace != null)
            {
                OwnSlots.Remove(runspace);
            }
        }
    }

    private static Slot SlotFor(Runspace? runspace)
    {
        if (runspace == null || PrimaryRunspace.Is(runspace))
        {
            return ProcessDefault;
        }

        return OwnSlots.TryGetValue(runspace, out var own) ? own : ProcessDefault;
    }

    private static Slot WritableSlot(Runspace? runspace)
    {
        if (runspace == null || PrimaryRunspace.Claim(runspace))
        {
            if (runspace != null)
            {
                OwnSlots.Remove(runspace);
            }

            return ProcessDefault;
        }

        return OwnSlots.GetValue(runspace, _ => new Slot());
    }
}
