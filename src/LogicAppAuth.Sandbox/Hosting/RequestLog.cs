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

    private readonly ConcurrentQueue<string> _refusedApiVersions = new();

    public IReadOnlyList<RequestLogEntry> Snapshot() => _entries.ToArray();

    public void Clear() => _entries.Clear();

    /// <summary>Requests refused for an api-version their provider does not register ("METHOD path?query"); never cleared,
    /// so that a test run can show none of its calls used a wrong version.</summary>
    public IReadOnlyList<string> RefusedApiVersions => _refusedApiVersions.ToArray();

    public void AddRefusedApiVersion(string request) => _refusedApiVersions.Enqueue(request);

    internal const string PrincipalItemKey = "sandbox.principal";
}
