using System;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>How a workflow uses a connection: triggers read from the target, actions mostly write to it.</summary>
[Flags]
public enum ConnectionUsage
{
    None = 0,
    Receive = 1,
    Send = 2,
}
