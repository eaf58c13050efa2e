using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>
/// The <c>--graph-throttle-every N</c> knob: every Nth Microsoft Graph request (anything under /v1.0) is answered
/// <c>429 TooManyRequests</c> with <c>Retry-After: 1</c>, as Graph throttles, before it reaches its route.
/// </summary>
public static class GraphThrottle
{
    public static void Use(WebApplication app, SandboxState state)
    {
        var every = state.Options.GraphThrottleEvery;
        if (every <= 0)
        {
            return;
        }

        var count = 0;
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1.0", StringComparison.OrdinalIgnoreCase)
                && Interlocked.Increment(ref count) % every == 0)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers["Retry-After"] = "1";
                await context.Response.WriteAsJsonAsync(new
                {
                    error = new
                    {
                        code = "TooManyRequests",
                        message = "Too many requests; retry after the interval in the Retry-After header.",
                        innerError = new { date = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss"), requestId = Guid.NewGuid().ToString() },
                    },
                });
                return;
            }

            await next(context);
        });
    }
}
