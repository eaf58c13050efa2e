using System.Collections.Concurrent;

namespace LogicAppAuth.Sandbox.Hosting;

public sealed record RequestLogEntry(DateTimeOffset Time, string Method, string Path, string Query, int Status, string? Principal, string? Fault = null);

/// <summary>What callers asked of the sandbox: no headers and no bodies, so no secret is ever kept.</summary>
public sealed class RequestLog
{
    private const int Capacity = 100_000;
    private readonly ConcurrentQueue<RequestLogEntry> _entries = new();

    public void Add(RequestLogEntry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<RequestLogEntry> Snapshot() => _entries.ToArray();

    public void Clear() => _entries.Clear();

    internal const string PrincipalItemKey = "sandbox.principal";
}
