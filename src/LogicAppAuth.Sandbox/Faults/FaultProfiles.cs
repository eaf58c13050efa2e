namespace LogicAppAuth.Sandbox.Faults;

/// <summary>The fault profiles of <c>--faults</c>; see Scenarios/README.md ("Fault injection").</summary>
[Flags]
public enum FaultProfiles
{
    None = 0,

    /// <summary>Every ~7th ARM/Resource Graph/Graph request: 429 with Retry-After: 1 (seconds and HTTP-date forms in turn).</summary>
    Throttle = 1,

    /// <summary>Every ~7th ARM/Resource Graph/Graph request: 500, 502, 503, 504 in turn, with an ARM error envelope.</summary>
    ServerErrors = 2,

    /// <summary>Every ~9th GET: the status line, headers and half the body are sent, then the connection is aborted.</summary>
    Resets = 4,

    /// <summary>Every ~11th request is delayed by <c>--fault-slow-ms</c>.</summary>
    Slow = 8,

    /// <summary>The token and managed-identity endpoints issue tokens that live 5 seconds.</summary>
    ShortTokens = 16,

    /// <summary>Every Resource Graph answer says the quota is spent: remaining 0, resets after 00:00:01.</summary>
    ArgQuota = 32,
}

public static class FaultProfileNames
{
    private static readonly Dictionary<string, FaultProfiles> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["throttle"] = FaultProfiles.Throttle,
        ["server-errors"] = FaultProfiles.ServerErrors,
        ["resets"] = FaultProfiles.Resets,
        ["slow"] = FaultProfiles.Slow,
        ["short-tokens"] = FaultProfiles.ShortTokens,
        ["arg-quota"] = FaultProfiles.ArgQuota,
    };

    public static IReadOnlyCollection<string> All => Names.Keys;

    /// <summary>Parses <c>throttle,resets</c>; an unknown name throws <see cref="ArgumentException"/>.</summary>
    public static FaultProfiles Parse(string? text)
    {
        var profiles = FaultProfiles.None;
        foreach (var name in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            profiles |= Names.TryGetValue(name, out var profile)
                ? profile
                : throw new ArgumentException($"Unknown fault profile '{name}'; known: {string.Join(", ", Names.Keys)}.");
        }

        return profiles;
    }
}
