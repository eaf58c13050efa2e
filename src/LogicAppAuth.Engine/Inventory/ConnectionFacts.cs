using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// A connection document as the inventory read it: the row (status, auth type, user, tenant) read by
/// <see cref="ConnectionDocument"/>, plus what diagnosis and expiry need from it: the non-secret parameters, every
/// status error, the test endpoints, and whether it came from Resource Graph (whose copy can lag ARM).
/// </summary>
internal sealed class ConnectionFacts
{
    private ConnectionFacts(ConnectorStatus status)
    {
        Status = status;
    }

    public ConnectorStatus Status { get; }
    public string ApiId { get; private set; } = "";
    public string ClientId { get; private set; } = "";
    public string GrantType { get; private set; } = "";

    /// <summary>Non-secret parameter values by name (nonSecretParameterValues, parameterValues, parameterValueSet.values).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; private set; } = new Dictionary<string, string>();

    /// <summary>Every error the statuses array holds, as (code, message).</summary>
    public IReadOnlyList<(string Code, string Message)> Errors { get; private set; } = Array.Empty<(string, string)>();

    public (string Uri, string Method)? TestLink { get; private set; }
    public (string Uri, string Method, string Body)? TestRequest { get; private set; }
    public bool Exists => Status.Exists;

    /// <summary>For a Standard app's built-in connection, the entry as read; null for an API connection.</summary>
    public BuiltInConnection? BuiltIn { get; private set; }

    /// <summary>The name of the parameter set it signed in with (<c>parameterValueSet.name</c>), or "".</summary>
    public string ParameterValueSet { get; private set; } = "";

    /// <summary><c>parameterValueType</c> ("Alternative" for a connector's alternative sign-in), or "".</summary>
    public string ParameterValueType { get; private set; } = "";

    /// <summary>Whether the connector's own metadata must say how it signs in: the connection names a parameter set or the alternative one.</summary>
    public bool NamesASignInSet => ParameterValueSet.Length > 0 || ParameterValueType.Length > 0;

    /// <summary>
    /// Takes the authentication type from the connector's metadata: the managed identity exactly when its
    /// managed-identity set (or alternative) is the one the connection names. Without metadata the name rules stand.
    /// </summary>
    public void ClassifyBy(Connectors.ConnectorShape? shape)
    {
        if (shape == null)
        {
            return;
        }

        if (shape.IsManagedIdentity(ParameterValueSet, ParameterValueType))
        {
            Status.AuthenticationType = AuthenticationType.ManagedIdentity;
        }
        else if (Status.AuthenticationType == AuthenticationType.ManagedIdentity)
        {
            Status.AuthenticationType = _authenticationByOtherRules;
        }
    }

    private AuthenticationType _authenticationByOtherRules;

    /// <summary>True when the document is Resource Graph's copy rather than a fresh ARM read.</summary>
    public bool FromResourceGraph { get; private set; }

    public static ConnectionFacts Read(JsonElement document, bool fromResourceGraph = false)
    {
        var status = ConnectionDocument.Read(document);
        var properties = Json.Path(document, "properties") ?? default;
        var parameters = ConnectionParameters.All(properties);
        var errors = new List<(string, string)>();
        if (Json.Path(properties, "statuses") is JsonElement statuses && statuses.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in statuses.EnumerateArray())
            {
                var (code, message) = ConnectionDocument.StatusError(s);
                if (code.Length > 0 || message.Length > 0)
                {
                    errors.Add((code, message));
                }
            }
        }

        parameters.TryGetValue("token:clientId", out var clientId);
        parameters.TryGetValue("token:grantType", out var grantType);
        return new ConnectionFacts(status)
        {
            ParameterValueSet = Json.String(properties, "parameterValueSet", "name"),
            ParameterValueType = Json.String(properties, "parameterValueType"),
            _authenticationByOtherRules = ConnectionDocument.AuthenticationWithoutSetNames(properties, status.ApiName),
            FromResourceGraph = fromResourceGraph,
            ApiId = Json.String(properties, "api", "id"),
            ClientId = clientId ?? "",
            GrantType = grantType ?? "",
            Parameters = parameters,
            Errors = errors,
            TestLink = First(properties, "testLinks") is JsonElement link ? (Json.String(link, "requestUri"), Json.String(link, "method")) : ((string, string)?)null,
            TestRequest = First(properties, "testRequests") is JsonElement request
                ? (Json.String(request, "requestUri"), Json.String(request, "method"), Json.Path(request, "body") is JsonElement body ? body.GetRawText() : "")
                : ((string, string, string)?)null,
        };
    }

    /// <summary>A Standard app's built-in connection. Its parameters hold its target under the managed connector's own parameter name.</summary>
    public static ConnectionFacts ForBuiltIn(BuiltInConnection connection)
    {
        var app = AzureResourceId.Parse(connection.AppId);
        var requirement = Connectors.ConnectorRequirements.For(connection.ManagedApi);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (requirement != null && connection.Endpoint.Length > 0)
        {
            parameters[requirement.TargetParameters[0]] = connection.Endpoint;
        }

        return new ConnectionFacts(new ConnectorStatus
        {
            ResourceId = connection.ResourceId,
            SubscriptionId = app.SubscriptionId,
            ResourceGroupName = app.ResourceGroupName,
            Name = connection.Name,
            Location = connection.AppLocation,
            Kind = "BuiltIn",
            ApiName = connection.Provider,
            DisplayName = connection.DisplayName,
            Status = ConnectionStatus.Unknown,
            AuthenticationType = connection.Authentication,
        })
        {
            BuiltIn = connection,
            Parameters = parameters,
        };
    }

    /// <summary>A connection that is referenced but does not exist.</summary>
    public static ConnectionFacts Missing(ConnectorStatus status, string apiId) => new ConnectionFacts(status) { ApiId = apiId };

    private static JsonElement? First(JsonElement properties, string name) =>
        Json.Path(properties, name) is JsonElement array && array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > 0 && array[0].ValueKind == JsonValueKind.Object
            ? array[0]
            : (JsonElement?)null;
}
