using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>Microsoft Graph v1.0 routes: the directory (<see cref="GraphDirectory"/>) and <c>$batch</c>
/// (<see cref="GraphBatch"/>), behind Graph's token checks.</summary>
public sealed class GraphApi(SandboxState state, AccessCheck access)
{
    private readonly GraphDirectory _directory = new(state);

    public static void Map(WebApplication app)
    {
        app.MapPost("/v1.0/$batch", (HttpContext context, GraphApi api) => api.BatchAsync(context));
        app.MapMethods("/v1.0/{**path}", ["GET", "POST", "PUT", "PATCH", "DELETE"], (HttpContext context, GraphApi api) => api.HandleAsync(context));
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        var result = await access.GraphAsync(context);
        if (result.Caller is not { } caller)
        {
            return result.Failure!;
        }

        var path = (context.Request.Path.Value ?? "")["/v1.0".Length..];
        var answer = _directory.Handle(new GraphCall(
            context.Request.Method, path, GraphQuery.Parse(context.Request.QueryString.Value), BaseUrl(context), caller, ClientRequestId(context)));
        return Results.Json(answer.Body, statusCode: answer.Status);
    }

    private async Task<IResult> BatchAsync(HttpContext context)
    {
        var result = await access.GraphAsync(context);
        if (result.Caller is not { } caller)
        {
            return result.Failure!;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var answer = GraphBatch.Handle(_directory, caller, BaseUrl(context), ClientRequestId(context), body);
        return Results.Json(answer.Body, statusCode: answer.Status);
    }

    private static string? ClientRequestId(HttpContext context) =>
        context.Request.Headers.TryGetValue("client-request-id", out var value) && value.Count > 0 ? value.ToString() : null;

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";
}
