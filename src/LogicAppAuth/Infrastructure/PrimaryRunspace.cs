using System;
using System.Management.Automation.Runspaces;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>
/// The runspace whose sign-in is the process default: the first one to import the module (in a console, the
/// console's own runspace; ForEach-Object -Parallel and thread-job runspaces import it after). When that runspace
/// has been closed, the next runspace that runs Connect-LogicAppAuth takes its place. Kept apart from
/// <see cref="RunspaceSessions"/> so that the module initializer can note it without loading the engine.
/// </summary>
internal static class PrimaryRunspace
{
    private static readonly object Gate = new object();
    private static WeakReference<Runspace>? _primary;

    /// <summary>Called on every import: the first importing runspace (or the first after the primary closed) becomes the primary.</summary>
    internal static void NoteImport(Runspace? runspace)
    {
        lock (Gate)
        {
            if (runspace != null && LivePrimary() == null)
            {
                _primary = new WeakReference<Runspace>(runspace);
            }
        }
    }

    internal static bool Is(Runspace runspace)
    {
        lock (Gate)
        {
            return ReferenceEquals(LivePrimary(), runspace);
        }
    }

    /// <summary>True when <paramref name="runspace"/> is the primary, or becomes it because there is no live one.</summary>
    internal static bool Claim(Runspace runspace)
    {
        lock (Gate)
        {
            var live = LivePrimary();
            if (live == null)
            {
                _primary = new WeakReference<Runspace>(runspace);
                return true;
            }

            return ReferenceEquals(live, runspace);
        }
    }

    private static Runspace? LivePrimary()
    {
        if (_primary == null || !_primary.TryGetTarget(out var runspace))
        {
            return null;
        }

        var state = runspace.RunspaceStateInfo.State;
        return state == RunspaceState.Closed || state == RunspaceState.Closing || state == RunspaceState.Broken ? null : runspace;
    }
}
