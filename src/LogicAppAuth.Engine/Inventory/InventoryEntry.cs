using System.Collections.Generic;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>One connection the inventory found: its document as read, the logic apps that reference it, and why it is missing when it is.</summary>
internal sealed class InventoryEntry
{
    public InventoryEntry(ConnectionFacts facts, IReadOnlyList<ConnectionReference> references, string missingEvidence)
    {
        Facts = facts;
        References = references;
        MissingEvidence = missingEvidence;
    }

    public ConnectionFacts Facts { get; }
    public ConnectorStatus Status => Facts.Status;
    public IReadOnlyList<ConnectionReference> References { get; }

    /// <summary>For a connection that is referenced but does not exist: how that was found ("GET returned 404 ..."); else "".</summary>
    public string MissingEvidence { get; }
}
