namespace LogicAppAuth.Sandbox.Graph;

/// <summary>Microsoft Graph's error envelope, with the innerError block Graph always adds.</summary>
public static class GraphErrors
{
    public static IResult Error(HttpContext context, int status, string code, string message)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Request.Headers.TryGetValue("client-request-id", out var clientRequestId);
        return Results.Json(
            new
            {
                error = new
                {
                    code,
                    message,
                    innerError = new Dictionary<string, string>
                    {
                        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss"),
                        ["request-id"] = requestId,
                        ["client-request-id"] = clientRequestId.Count > 0 ? clientRequestId.ToString() : requestId,
                    },
                },
            },
            statusCode: status);
    }

    /// <summary>The same envelope as a JSON object, for answers built outside an HTTP context ($batch items).</summary>
    public static System.Text.Json.Nodes.JsonObject Body(string code, string message, string? clientRequestId)
    {
        var requestId = Guid.NewGuid().ToString();
        return new System.Text.Json.Nodes.JsonObject
        {
            ["error"] = new System.Text.Json.Nodes.JsonObject
            {
                ["code"] = code,
                ["message"] = message,
                ["innerError"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss"),
                    ["request-id"] = requestId,
                    ["client-request-id"] = clientRequestId ?? requestId,
                },
            },
        };
    }

    public static IResult NotFound(HttpContext context, string id) => Error(context, 404, "Request_ResourceNotFound",
        $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    public static IResult Forbidden(HttpContext context) =>
        Error(context, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}
