using System;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// Reads a Microsoft.Web/connections document, as ARM and Resource Graph both return it, into a flat status row.
/// </summary>
internal static class ConnectionDocument
{
    /// <summary>Connectors that sign in a user with OAuth (delegated) and cannot use a managed identity.</summary>
    private static readonly string[] DelegatedOAuthApis =
    {
        "office365", "office365users", "office365groups", "outlook", "teams", "sharepointonline", "onedrive", "onedriveforbusiness",
        "excelonline", "excelonlinebusiness", "planner", "dynamicscrmonline", "commondataservice", "gmail", "dropbox", "salesforce",
    };

    public static ConnectorStatus Read(JsonElement document)
    {
        var id = AzureResourceId.Parse(Json.String(document, "id"));
        var properties = Json.Path(document, "properties") ?? default;
        var apiName = Json.String(properties, "api", "name");
        if (apiName.Length == 0)
        {
            apiName = LastSegment(Json.String(properties, "api", "id"));
        }

        var (status, errorCode, errorMessage) = ReadStatus(properties);
        return new ConnectorStatus
        {
            ResourceId = id.Id,
            SubscriptionId = id.SubscriptionId,
            ResourceGroupName = id.ResourceGroupName,
            Name = id.Name,
            Location = Json.String(document, "location"),
            Kind = Json.String(document, "kind"),
            ApiName = apiName,
            DisplayName = Json.String(properties, "displayName"),
            Status = status,
            ErrorCode = errorCode,
            ErrorMessage = errorMessage,
            AuthenticationType = ReadAuthenticationType(properties, apiName),
            AuthenticatedUser = Json.String(properties, "authenticatedUser", "name"),
            TenantId = ConnectionParameters.Value(properties, "token:TenantId"),
            CreatedTime = Json.Date(properties, "createdTime"),
            ChangedTime = Json.Date(properties, "changedTime"),
        };
    }

    /// <summary>A row for a connection that workflows reference but that does not exist.</summary>
    public static ConnectorStatus Missing(AzureResourceId id, string apiName) => new ConnectorStatus
    {
        ResourceId = id.Id,
        SubscriptionId = id.SubscriptionId,
        ResourceGroupName = id.ResourceGroupName,
        Name = id.Name,
        ApiName = apiName,
        Status = ConnectionStatus.NotFound,
        ErrorCode = "ConnectionNotFound",
        ErrorMessage = "A workflow references this connection, but it does not exist.",
        AuthenticationType = AuthenticationType.Unknown,
        Exists = false,
    };

    /// <summary>The error of one <c>statuses[]</c> entry. Real answers put code and message on the error itself;
    /// the published spec (ConnectionError) nests them in <c>properties</c>: both are read.</summary>
    public static (string Code, string Message) StatusError(JsonElement status) =>
        (FirstOf(Json.String(status, "error", "code"), Json.String(status, "error", "properties", "code")),
         FirstOf(Json.String(status, "error", "message"), Json.String(status, "error", "properties", "message")));

    private static string FirstOf(string value, string fallback) => value.Length > 0 ? value : fallback;

    private static (ConnectionStatus, string, string) ReadStatus(JsonElement properties)
    {
        if (Json.Path(properties, "statuses") is JsonElement statuses && statuses.ValueKind == JsonValueKind.Array && statuses.GetArrayLength() > 0)
        {
            var items = statuses.EnumerateArray().ToList();
            var failed = items.FirstOrDefault(s => string.Equals(Json.String(s, "status"), "Error", StringComparison.OrdinalIgnoreCase));
            if (failed.ValueKind == JsonValueKind.Object)
            {
                var (code, message) = StatusError(failed);
                return (ConnectionStatus.Error, code, message);
            }

            if (items.All(s => IsHealthy(Json.String(s, "status"))))
            {
                return (ConnectionStatus.Connected, "", "");
            }
        }

        var overall = Json.String(properties, "overallStatus");
        if (string.Equals(overall, "Error", StringComparison.OrdinalIgnoreCase))
        {
            return (ConnectionStatus.Error, "", "");
        }

        return IsHealthy(overall) ? (ConnectionStatus.Connected, "", "") : (ConnectionStatus.Unknown, "", "");
    }

    private static bool IsHealthy(string status) =>
        string.Equals(status, "Connected", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "Ready", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The authentication type by the names connectors are known to use; the connector's own metadata, when read,
    /// has the last word (<see cref="ConnectionFacts.ClassifyBy"/>).
    /// </summary>
    private static AuthenticationType ReadAuthenticationType(JsonElement properties, string apiName) =>
        ConnectionParameters.IsManagedIdentitySet(Json.String(properties, "parameterValueSet", "name"))
            || string.Equals(Json.String(properties, "parameterValueType"), "Alternative", StringComparison.OrdinalIgnoreCase)
            ? AuthenticationType.ManagedIdentity
            : AuthenticationWithoutSetNames(properties, apiName);

    /// <summary>The authentication type from everything but a managed-identity set name.</summary>
    internal static AuthenticationType AuthenticationWithoutSetNames(JsonElement properties, string apiName)
    {
        var valueSet = Json.String(properties, "parameterValueSet", "name");
        var grantType = ConnectionParameters.Value(properties, "token:grantType");
        if (ConnectionParameters.Value(properties, "token:clientId").Length > 0 || string.Equals(grantType, "client_credentials", StringComparison.OrdinalIgnoreCase)
            || valueSet.IndexOf("serviceprincipal", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return AuthenticationType.ServicePrincipal;
        }

        if (string.Equals(grantType, "code", StringComparison.OrdinalIgnoreCase)
            || valueSet.IndexOf("oauth", StringComparison.OrdinalIgnoreCase) >= 0
            || Json.String(properties, "authenticatedUser", "name").Length > 0
            || DelegatedOAuthApis.Contains(apiName, StringComparer.OrdinalIgnoreCase))
        {
            return AuthenticationType.OAuth;
        }

        if (valueSet.IndexOf("key", StringComparison.OrdinalIgnoreCase) >= 0 || valueSet.IndexOf("connectionstring", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return AuthenticationType.Key;
        }

        return ConnectionParameters.Any(properties) ? AuthenticationType.Unknown : AuthenticationType.None;
    }

    private static string LastSegment(string id)
    {
        var trimmed = id.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        return slash < 0 ? trimmed : trimmed.Substring(slash + 1);
    }
}
