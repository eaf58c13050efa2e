using System.Collections.Concurrent;
using System.Globalization;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.ResourceGraph;
using Microsoft.AspNetCore.Http.Features;

namespace LogicAppAuth.Sandbox.Faults;

/// <summary>
/// The <c>--faults</c> knob: injects throttling, server errors, connection resets, slow answers, short-lived
/// tokens and spent Resource Graph quota into ARM, Resource Graph and Graph routes (never /_sandbox/*; the token
/// endpoints only for short tokens). Which request is hit follows a schedule drawn from <c>--fault-seed</c>, so a
/// run that sends the same requests in the same order meets the same faults. A request that was answered with a
/// fault is never faulted again straight after (same method, path and query), so one retry always gets through.
/// Each fault is written to the request log's <c>fault</c> field.
/// </summary>
public sealed class FaultInjector
{
    /// <summary>HttpContext.Items key of the fault given to a request, read by the request log.</summary>
    public const string ItemKey = "sandbox.fault";

    public const int ShortTokenLifetimeSeconds = 5;

    private static readonly int[] ServerErrorStatuses = [500, 502, 503, 504];

    private readonly FaultProfiles _profiles;
    private readonly int _slowMs;
    private readonly FaultSchedule _throttle;
    private readonly FaultSchedule _serverErrors;
    private readonly FaultSchedule _resets;
    private readonly FaultSchedule _slow;
    private readonly ConcurrentDictionary<string, byte> _faultedLast = new(StringComparer.OrdinalIgnoreCase);
    private int _throttleCount;
    private int _serverErrorCount;

    public FaultInjector(SandboxOptions options)
    {
        _profiles = FaultProfileNames.Parse(options.Faults);
        _slowMs = Math.Max(0, options.FaultSlowMs);
        _throttle = new FaultSchedule(7, options.FaultSeed, 1);
        _serverErrors = new FaultSchedule(7, options.FaultSeed, 2);
        _resets = new FaultSchedule(9, options.FaultSeed, 3);
        _slow = new FaultSchedule(11, options.FaultSeed, 4);
        if (_profiles.HasFlag(FaultProfiles.ShortTokens))
        {
            options.TokenLifetimeSeconds = ShortTokenLifetimeSeconds;
        }
    }

    public FaultProfiles Profiles => _profiles;

    /// <summary>Answers the request with a fault, or passes it to <paramref name="next"/> (possibly delayed, cut off or re-headed).</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_profiles == FaultProfiles.None)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (IsTokenRoute(request.Path))
        {
            if (_profiles.HasFlag(FaultProfiles.ShortTokens))
            {
                context.Items[ItemKey] = "short-token";
            }

            await next(context);
            return;
        }

        if (!IsArmOrGraph(request.Path))
        {
            await next(context);
            return;
        }

        if (_profiles.HasFlag(FaultProfiles.ArgQuota)
            && request.Path.Equals(ResourceGraphPath, StringComparison.OrdinalIgnoreCase))
        {
            context.Items[ItemKey] = "arg-quota";
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[ResourceGraphApi.QuotaRemainingHeader] = "0";
                context.Response.Headers[ResourceGraphApi.QuotaResetsAfterHeader] = "00:00:01";
                return Task.CompletedTask;
            });
        }

        var key = $"{request.Method} {request.Path}{request.QueryString}";
        if (_faultedLast.TryRemove(key, out _))
        {
            await next(context);
            return;
        }

        var isGet = HttpMethods.IsGet(request.Method);
        if (_profiles.HasFlag(FaultProfiles.Throttle) && _throttle.Fires())
        {
            _faultedLast[key] = 0;
            await ThrottleAsync(context, Interlocked.Increment(ref _throttleCount));
        }
        else if (_profiles.HasFlag(FaultProfiles.ServerErrors) && _serverErrors.Fires())
        {
            _faultedLast[key] = 0;
            await ServerErrorAsync(context, ServerErrorStatuses[(Interlocked.Increment(ref _serverErrorCount) - 1) % ServerErrorStatuses.Length]);
        }
        else if (_profiles.HasFlag(FaultProfiles.Resets) && isGet && _resets.Fires())
        {
            if (await ResetAsync(context, next))
            {
                _faultedLast[key] = 0;
            }
        }
        else if (_profiles.HasFlag(FaultProfiles.Slow) && _slow.Fires())
        {
            _faultedLast[key] = 0;
            context.Items[ItemKey] = "slow";
            await Task.Delay(_slowMs, context.RequestAborted);
            await next(context);
        }
        else
        {
            await next(context);
        }
    }

    private const string ResourceGraphPath = "/providers/Microsoft.ResourceGraph/resources";

    private static bool IsTokenRoute(PathString path)
    {
        var value = path.Value ?? "";
        return path.Equals(TokenEndpoints.IdentityPath, StringComparison.OrdinalIgnoreCase)
            || value.EndsWith("/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase)
            || value.EndsWith("/oauth2/token", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsArmOrGraph(PathString path) =>
        path.StartsWithSegments("/subscriptions", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/providers", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/tenants", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v1.0", StringComparison.OrdinalIgnoreCase);

    private static Task ThrottleAsync(HttpContext context, int count)
    {
        context.Items[ItemKey] = "429";
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        // Odd ones in delta-seconds form, even ones as an HTTP-date one second ahead (RFC 9110 allows both).
        context.Response.Headers["Retry-After"] = count % 2 == 1
            ? "1"
            : DateTimeOffset.UtcNow.AddSeconds(1).ToString("R", CultureInfo.InvariantCulture);
        return WriteErrorAsync(context, "TooManyRequests", "The request was throttled (sandbox fault injection); retry after the interval in the Retry-After header.");
    }

    private static Task ServerErrorAsync(HttpContext context, int status)
    {
        context.Items[ItemKey] = status.ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = status;
        var code = status switch
        {
            500 => "InternalServerError",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            _ => "GatewayTimeout",
        };
        return WriteErrorAsync(context, code, $"The server answered {status} (sandbox fault injection); the request can be retried.");
    }

    private static Task WriteErrorAsync(HttpContext context, string code, string message) =>
        context.Response.WriteAsJsonAsync(new { error = new { code, message } });

    /// <summary>Runs the route into a buffer, sends the headers and half the body, then aborts the connection.</summary>
    private static async Task<bool> ResetAsync(HttpContext context, RequestDelegate next)
    {
        var bodyFeature = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(bodyFeature);
        }

        var body = buffer.ToArray();
        if (body.Length < 2)
        {
            // Nothing to cut in half: send it whole and count no fault.
            await bodyFeature.Stream.WriteAsync(body);
            return false;
        }

        context.Items[ItemKey] = "reset";
        context.Response.ContentLength = body.Length;
        await bodyFeature.StartAsync();
        await bodyFeature.Stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await bodyFeature.Stream.FlushAsync();
        context.Abort();
        return true;
    }
}

/// <summary>A seeded sequence of gaps of about <c>period</c> requests (period-2 .. period+2) between faults.</summary>
internal sealed class FaultSchedule
{
    private readonly Random _random;
    private readonly int _period;
    private readonly object _lock = new();
    private int _countdown;

    public FaultSchedule(int period, int seed, int stream)
    {
        _period = period;
        _random = new Random(unchecked(seed * 7919 + stream));
        _countdown = NextGap();
    }

    /// <summary>Counts one request; true when this one is to be faulted.</summary>
    public bool Fires()
    {
        lock (_lock)
        {
            if (--_countdown > 0)
            {
                return false;
            }

            _countdown = NextGap();
            return true;
        }
    }

    private int NextGap() => _random.Next(Math.Max(1, _period - 2), _period + 3);
}
