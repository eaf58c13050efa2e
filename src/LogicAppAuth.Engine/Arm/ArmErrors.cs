using System;
using System.Text.Json;
using Azure;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Arm;

/// <summary>Turns an Azure error response (ARM, Resource Graph or Graph envelope) into an actionable exception.</summary>
internal static class ArmErrors
{
    public static LogicAppAuthException FromResponse(Response response, string target, string service = "Azure Resource Manager")
    {
        var (code, message) = ReadError(response);
        var kind = KindFor(response.Status);
        var errorId = string.IsNullOrEmpty(code) ? service.Contains("Graph") ? "GraphRequestFailed" : "ArmRequestFailed" : code;
        var text = $"{service} answered {response.Status} {code}: {message} {AdviceFor(response.Status, code)}".Replace("  ", " ").Trim();
        return new LogicAppAuthException(errorId, kind, text, target) { HttpStatus = response.Status };
    }

    public static FailureKind KindFor(int status)
    {
        switch (status)
        {
            case 400: return FailureKind.InvalidArgument;
            case 401: return FailureKind.AuthenticationError;
            case 403: return FailureKind.PermissionDenied;
            case 404: return FailureKind.ObjectNotFound;
            case 409: return FailureKind.ResourceExists;
            case 429: return FailureKind.ResourceUnavailable;
            default: return status >= 500 ? FailureKind.ResourceUnavailable : FailureKind.Unspecified;
        }
    }

    private static string AdviceFor(int status, string code)
    {
        switch (code)
        {
            case "ExpiredAuthenticationToken":
                return "The access token has expired: run Connect-LogicAppAuth again (or pass a fresh -AccessToken).";
            case "InvalidAuthenticationTokenTenant":
                return "The token is for another tenant: run Connect-LogicAppAuth -TenantId <the subscription's tenant>.";
            case "InvalidAuthenticationToken":
                return "The token was refused: check that it was issued for Azure Resource Manager, or sign in again with Connect-LogicAppAuth.";
            case "AuthorizationFailed":
                return "Ask for a role that allows this action at this scope (Reader is enough for inventory and diagnosis).";
        }

        switch (status)
        {
            case 401: return "Sign in again with Connect-LogicAppAuth.";
            case 403: return "The signed-in identity lacks permission for this scope.";
            case 404: return "Check the name, resource group and subscription.";
            case 429: return "The service is throttling requests; try again later.";
            default: return status >= 500 ? "The service failed; try again later." : "";
        }
    }

    private static (string Code, string Message) ReadError(Response response)
    {
        try
        {
            using var doc = JsonDocument.Parse(response.Content.ToMemory());
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    return (Json.String(error, "code"), Json.String(error, "message"));
                }

                // OAuth-style errors: { "error": "invalid_client", "error_description": "..." }
                return (error.GetString() ?? "", Json.String(doc.RootElement, "error_description"));
            }
        }
        catch (JsonException)
        {
        }
        catch (ArgumentException)
        {
        }

        return ("", response.ReasonPhrase ?? "");
    }
}
