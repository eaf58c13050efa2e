using System.Text.Json;

namespace LogicAppAuth.Engine.Graph;

/// <summary>One Microsoft Graph answer (a plain request or one item of a $batch): status, body, and the Graph error if any.</summary>
internal sealed class GraphResponse
{
    public GraphResponse(int status, JsonElement? body, string errorCode = "", string errorMessage = "")
    {
        Status = status;
        Body = body;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    /// <summary>The HTTP status; 0 when no request could be sent (no Graph credential, network failure).</summary>
    public int Status { get; }

    /// <summary>The JSON body, detached from its document.</summary>
    public JsonElement? Body { get; }

    public string ErrorCode { get; }
    public string ErrorMessage { get; }
    public bool Succeeded => Status >= 200 && Status < 300;

    /// <summary>"403 Authorization_RequestDenied" and the like, for evidence.</summary>
    public string Describe() => Status == 0 ? (ErrorCode.Length > 0 ? ErrorCode : "not sent") : $"{Status} {ErrorCode}".Trim();

    public static GraphResponse FromBody(int status, JsonElement? body)
    {
        string code = "", message = "";
        if (body is JsonElement element && element.ValueKind == JsonValueKind.Object && element.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            code = Arm.Json.String(error, "code");
            message = Arm.Json.String(error, "message");
        }

        return new GraphResponse(status, body, code, message);
    }

    public static GraphResponse NotSent(string reason, string message) => new GraphResponse(0, null, reason, message);
}
