using LogicAppAuth.Sandbox.Auth;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>Per-request plumbing: keep the managed-identity listener to its one route, log, add latency.</summary>
public static class SandboxMiddleware
{
    public static void Use(WebApplication app, SandboxState state)
    {
        var faults = new Faults.FaultInjector(state.Options);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var onIdentityListener = state.IdentityPort != 0 && context.Connection.LocalPort == state.IdentityPort;
            var isIdentityRoute = path.Equals(TokenEndpoints.IdentityPath, StringComparison.OrdinalIgnoreCase);
            if (onIdentityListener != isIdentityRoute)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            state.Runtime.Localize(state, context);
            if (path.StartsWithSegments(SandboxRoutes.Prefix))
            {
                await next(context);
                return;
            }

            if (state.Options.LatencyMs > 0 && IsArmOrGraph(path))
            {
                await Task.Delay(state.Options.LatencyMs, context.RequestAborted);
            }

            if (state.ConcurrentWriter.IsArmed && HttpMethods.IsGet(context.Request.Method))
            {
                // The other writer saves once this read's answer is ready but before it is sent, so the reader cannot
                // act on it before the save lands.
                context.Response.OnStarting(() =>
                {
                    if (context.Response.StatusCode == StatusCodes.Status200OK)
                    {
                        state.ConcurrentWriter.OnRead(state.Store, state.Clock, path.Value ?? "");
                    }

                    return Task.CompletedTask;
                });
            }

            try
            {
                await faults.InvokeAsync(context, next);
            }
            finally
            {
                state.Log.Add(new RequestLogEntry(
                    DateTimeOffset.UtcNow,
                    context.Request.Method,
                    path.Value ?? "",
                    context.Request.QueryString.Value ?? "",
                    context.Response.StatusCode,
                    context.Items[RequestLog.PrincipalItemKey] as string,
                    context.Items[Faults.FaultInjector.ItemKey] as string));
            }
        });
    }

    private static bool IsArmOrGraph(PathString path) =>
        path.StartsWithSegments("/subscriptions", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/providers", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v1.0", StringComparison.OrdinalIgnoreCase);
}
