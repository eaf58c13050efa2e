using System.Text.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>
/// <c>POST /v1.0/$batch</c> (JSON batching): up to 20 requests, each answered by the same handlers
/// with the caller of the outer request, each with its own status. Requests run in the order sent
/// (<c>dependsOn</c> is accepted and needs nothing more), but the answers come back in reverse order:
/// Graph does not keep the order, so a client must match them by <c>id</c>.
/// </summary>
public static class GraphBatch
{
    public const int MaxRequests = 20;

    private static readonly JsonObject ItemHeaders = new()
    {
        ["Cache-Control"] = "no-cache",
        ["OData-Version"] = "4.0",
        ["Content-Type"] = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    };

    public static GraphResult Handle(GraphDirectory directory, Caller caller, string baseUrl, string? clientRequestId, string requestBody)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(requestBody);
        }
        catch (JsonException)
        {
            return BadRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.", clientRequestId);
        }

        if (root?["requests"] is not JsonArray requests)
        {
            return BadRequest("Invalid batch payload format.", clientRequestId);
        }

        if (requests.Count > MaxRequests)
        {
            return BadRequest("Number of requests inside batch exceeds the limit.", clientRequestId);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in requests)
        {
            var id = item?["id"]?.ToString();
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty((string?)item!["method"]) || string.IsNullOrEmpty((string?)item["url"]))
            {
                return BadRequest("Invalid batch payload format: every request needs id, method and url.", clientRequestId);
            }

            if (!ids.Add(id))
            {
                return BadRequest($"Batch request contains duplicate request id '{id}'.", clientRequestId);
            }
        }

        var responses = new JsonArray();
        foreach (var item in requests)
        {
            var id = item!["id"]!.ToString();
            var method = (string)item["method"]!;
            var url = (string)item["url"]!;
            var itemClientRequestId = item["headers"]?["client-request-id"]?.ToString() ?? clientRequestId;
            var result = Relative(url) is { } relative
                ? directory.Handle(new GraphCall(method, relative.Path, GraphQuery.Parse(relative.Query), baseUrl, caller, itemClientRequestId))
                : new GraphResult(400, GraphErrors.Body("BadRequest", $"Invalid request URI '{url}': batch URLs are relative to the version, e.g. /users/{{id}}.", itemClientRequestId));
            var response = new JsonObject
            {
                ["id"] = id,
                ["status"] = result.Status,
                ["headers"] = ItemHeaders.DeepClone(),
            };
            if (result.Body is not null)
            {
                response["body"] = result.Body;
            }

            responses.Add(response);
        }

        return new GraphResult(200, new JsonObject { ["responses"] = new JsonArray(responses.Reverse().Select(r => r!.DeepClone()).ToArray()) });
    }

    /// <summary>"/users/x?$select=a" or "users/x" (relative to /v1.0); an absolute Graph URL is accepted too.</summary>
    private static (string Path, string Query)? Relative(string url)
    {
        var text = url.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            text = absolute.PathAndQuery;
            if (!text.StartsWith("/v1.0/", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            text = text["/v1.0".Length..];
        }

        var question = text.IndexOf('?');
        var path = question < 0 ? text : text[..question];
        var query = question < 0 ? "" : text[(question + 1)..];
        return (Uri.UnescapeDataString(path), query);
    }

    private static GraphResult BadRequest(string message, string? clientRequestId) =>
        new(400, GraphErrors.Body("BadRequest", message, clientRequestId));
}
