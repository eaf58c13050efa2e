namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>
/// Resource Graph's per-user throttling: each principal may send <c>limit</c> queries per 5-second
/// window; the window starts with the first query after the previous one ended.
/// </summary>
public sealed class ResourceGraphQuota(int limit, TimeProvider? time = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, (DateTimeOffset Start, int Used)> _windows = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _lock = new();

    public int Limit { get; } = Math.Max(1, limit);

    /// <summary>Counts one query; <c>Allowed</c> is false when the window's quota was already spent.</summary>
    public (bool Allowed, int Remaining, TimeSpan ResetsAfter) TryConsume(string principal)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_windows.TryGetValue(principal, out var window) || now - window.Start >= Window)
            {
                window = (now, 0);
            }

            var resetsAfter = window.Start + Window - now;
            if (window.Used >= Limit)
            {
                _windows[principal] = window;
                return (false, 0, resetsAfter);
            }

            window.Used++;
            _windows[principal] = window;
            return (true, Limit - window.Used, resetsAfter);
        }
    }

    /// <summary>The header format: hh:mm:ss, rounded up to whole seconds.</summary>
    public static string Format(TimeSpan span) =>
        TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, span.TotalSeconds))).ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);
}
