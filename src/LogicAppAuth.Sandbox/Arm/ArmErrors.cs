using System.Globalization;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>ARM's error envelope <c>{ "error": { "code", "message" } }</c> and the messages ARM uses.</summary>
public static class ArmErrors
{
    public const string ResourceNotFoundHelp = "For more details please go to https://aka.ms/ARMResourceNotFoundFix";

    public static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);

    public static IResult MissingApiVersion() => Error(400, "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.");

    public static IResult SubscriptionNotFound(string subscriptionId) =>
        Error(404, "SubscriptionNotFound", $"The subscription '{subscriptionId}' could not be found.");

    public static IResult ResourceGroupNotFound(string resourceGroup) =>
        Error(404, "ResourceGroupNotFound", $"Resource group '{resourceGroup}' could not be found.");

    /// <summary><paramref name="typeAndName"/> is e.g. Microsoft.Web/connections/office365.</summary>
    public static IResult ResourceNotFound(string typeAndName, string resourceGroup) =>
        Error(404, "ResourceNotFound", $"The Resource '{typeAndName}' under resource group '{resourceGroup}' was not found. {ResourceNotFoundHelp}");

    public static IResult AuthorizationFailed(string appId, string objectId, string action, string scope) =>
        Error(403, "AuthorizationFailed",
            $"The client '{appId}' with object id '{objectId}' does not have authorization to perform action '{action}' over scope '{scope}' " +
            "or the scope is invalid. If access was recently granted, please refresh your credentials.");

    /// <summary>ARM prints token times like <c>11/29/2026 10:00:00 AM</c>.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture);
}
