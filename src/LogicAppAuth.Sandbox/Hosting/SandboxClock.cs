using System.Globalization;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>
/// The sandbox's one clock. It reads <see cref="Anchor"/> when the sandbox starts (the real time, or
/// <c>--now</c>) and runs on from there. Every time a scenario holds is placed relative to the anchor
/// (<see cref="Scenarios.ScenarioTime"/>) and every time a route answers is this clock's reading, so
/// that "expired ten days ago" or "changed after the last good run" hold on whatever day it runs.
/// Times about an exchange itself (Retry-After dates, error-message timestamps, the request log, the
/// TLS certificate, caches) stay on the machine's clock, which the client reads too.
/// </summary>
public sealed class SandboxClock : TimeProvider
{
    private readonly long _startTimestamp = System.GetTimestamp();

    public SandboxClock(DateTimeOffset? anchor = null) => Anchor = (anchor ?? WholeSeconds(System.GetUtcNow())).ToUniversalTime();

    /// <summary>The sandbox's "now" at start: the one given, else the real time to the second (so that a
    /// scenario time written to the second is still exact when moved). Published in the ready-file as <c>timeAnchor</c>.</summary>
    public DateTimeOffset Anchor { get; }

    public override DateTimeOffset GetUtcNow() => Anchor + System.GetElapsedTime(_startTimestamp);

    /// <summary>Now, in the 7-digit UTC form ARM writes <c>changedTime</c> and similar properties in.</summary>
    public string NowText() => ArmTime(GetUtcNow());

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, time.Offset);

    public static string ArmTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
