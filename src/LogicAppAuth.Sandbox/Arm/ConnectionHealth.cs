using System.Globalization;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Graph;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>What a call through a connection would meet at runtime.</summary>
public sealed record ConnectionHealth(bool Ok, string Code, string Message)
{
    public static readonly ConnectionHealth Healthy = new(true, "OK", "");

    /// <summary>HTTP status of the connector's answer: 400 for a never-authenticated connection, 401 otherwise.</summary>
    public int HttpStatus => Ok ? 200 : Code.Equals("Unauthenticated", StringComparison.OrdinalIgnoreCase) ? 400 : 401;

    /// <summary>
    /// Judges a connection as the connector runtime would: its statuses first (Error → the status's
    /// code and message); then, for a delegated OAuth connection that still says Connected, whether its
    /// authenticated user still exists and is enabled in the directory (a refresh would fail otherwise).
    /// </summary>
    public static ConnectionHealth Evaluate(SandboxState state, JsonObject connection)
    {
        var properties = connection["properties"] as JsonObject;
        var status = properties?["statuses"]?[0];
        var statusText = (string?)status?["status"] ?? (string?)properties?["overallStatus"] ?? "Connected";
        if (!statusText.Equals("Connected", StringComparison.OrdinalIgnoreCase) && !statusText.Equals("Ready", StringComparison.OrdinalIgnoreCase))
        {
            var code = (string?)status?["error"]?["code"] ?? "Unauthorized";
            var message = (string?)status?["error"]?["message"] ?? "The connection is not authorized.";
            return new ConnectionHealth(false, code, message);
        }

        var values = properties?["nonSecretParameterValues"] as JsonObject;
        var grantType = (string?)values?["token:grantType"];
        var tenantId = (string?)values?["token:TenantId"];
        var userName = (string?)properties?["authenticatedUser"]?["name"];
        if (!string.Equals(grantType, "code", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(userName)
            || !string.Equals(tenantId, state.Scenario.HomeTenantId, StringComparison.OrdinalIgnoreCase))
        {
            return Healthy;
        }

        var api = (string?)properties?["api"]?["name"] ?? "connector";
        var user = GraphDirectory.FindUser(state.Scenario, userName);
        if (user is null)
        {
            return new ConnectionHealth(false, "Unauthorized", RefreshFailure(api, $"AADSTS50034: The user account {{EUII Hidden}} does not exist in the {tenantId} directory. To sign into this application, the account must be added to the directory.", state.Clock.GetUtcNow()));
        }

        if (user["accountEnabled"] is JsonValue enabled && enabled.TryGetValue<bool>(out var isEnabled) && !isEnabled)
        {
            return new ConnectionHealth(false, "Unauthorized", RefreshFailure(api, "AADSTS50057: The user account is disabled.", state.Clock.GetUtcNow()));
        }

        return Healthy;
    }

    /// <summary>The connector runtime's wording when it cannot refresh a delegated token.</summary>
    public static string RefreshFailure(string api, string aadError, DateTimeOffset now)
    {
        var correlation = Guid.NewGuid();
        var trace = Guid.NewGuid();
        return $"Failed to refresh access token for service: {api}. Correlation Id=g-{correlation}, UTC TimeStamp={now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture)}Z, " +
               $"Error: {aadError} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z";
    }

    /// <summary>Whether the connection authenticates with the logic app's managed identity.</summary>
    public static bool UsesManagedIdentity(JsonObject connection)
    {
        var properties = connection["properties"];
        var apiId = (string?)properties?["api"]?["id"] ?? "";
        return ManagedApiCatalog.UsesManagedIdentity((string?)properties?["api"]?["name"] ?? apiId[(apiId.LastIndexOf('/') + 1)..], properties);
    }
}
