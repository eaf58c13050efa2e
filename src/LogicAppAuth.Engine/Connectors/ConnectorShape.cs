using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Engine.Connectors;

public enum ManagedIdentityStyle
{
    /// <summary>The connector has no managed-identity sign-in.</summary>
    NotSupported,

    /// <summary>Multi-auth connector: <c>parameterValueSet { name: "managedIdentityAuth", values }</c>.</summary>
    ParameterValueSet,

    /// <summary>Single-auth connector with managed identity as the alternative: <c>parameterValueType: "Alternative"</c>.</summary>
    Alternative,
}

/// <summary>How a connector signs in with a managed identity, read from its managed API's metadata (connectionParameterSets / connectionAlternativeParameters).</summary>
public sealed class ConnectorShape
{
    private ConnectorShape(ManagedIdentityStyle style, string setName, IReadOnlyList<string> parameters, string oauthParameter, bool? alternativeIsManagedIdentity)
    {
        Style = style;
        SetName = setName;
        Parameters = parameters;
        OAuthParameter = oauthParameter;
        AlternativeIsManagedIdentity = alternativeIsManagedIdentity;
    }

    /// <summary>Whether the connector's alternative sign-in (<c>connectionAlternativeParameters</c>) is the managed identity; null when it has none.</summary>
    public bool? AlternativeIsManagedIdentity { get; }

    public ManagedIdentityStyle Style { get; }

    /// <summary>The parameter set's name (usually managedIdentityAuth).</summary>
    public string SetName { get; }

    /// <summary>The parameters the managed-identity set takes (e.g. accountName, vaultName, namespaceEndpoint).</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>The connection parameter of type oauthSetting (usually "token"), or "" when the connector has none.</summary>
    public string OAuthParameter { get; }

    public static ConnectorShape Read(JsonNode? managedApi)
    {
        var properties = JsonEdit.Get(managedApi, "properties");
        var oauth = OAuthParameterOf(JsonEdit.Get(properties, "connectionParameters") as JsonObject);
        var alternativeType = JsonEdit.String(properties, "connectionAlternativeParameters", "authentication", "type");
        bool? alternative = JsonEdit.Get(properties, "connectionAlternativeParameters") == null ? (bool?)null
            : string.Equals(alternativeType, "managedIdentity", StringComparison.OrdinalIgnoreCase);
        if (JsonEdit.Get(properties, "connectionParameterSets", "values") is JsonArray sets)
        {
            var set = sets.OfType<JsonObject>().FirstOrDefault(s => string.Equals(JsonEdit.String(s, "name"), "managedIdentityAuth", StringComparison.OrdinalIgnoreCase))
                ?? sets.OfType<JsonObject>().FirstOrDefault(IsManagedIdentitySet);
            if (oauth.Length == 0)
            {
                oauth = sets.OfType<JsonObject>().Select(s => OAuthParameterOf(JsonEdit.Get(s, "parameters") as JsonObject)).FirstOrDefault(p => p.Length > 0) ?? "";
            }

            if (set != null)
            {
                var parameters = (JsonEdit.Get(set, "parameters") as JsonObject)?.Select(p => p.Key).ToList() ?? new List<string>();
                return new ConnectorShape(ManagedIdentityStyle.ParameterValueSet, JsonEdit.String(set, "name"), parameters, oauth, alternative);
            }
        }

        if (alternative == true)
        {
            return new ConnectorShape(ManagedIdentityStyle.Alternative, "", Array.Empty<string>(), oauth, alternative);
        }

        return new ConnectorShape(ManagedIdentityStyle.NotSupported, "", Array.Empty<string>(), oauth, alternative);
    }

    /// <summary>Whether a connection document already signs in this way.</summary>
    public bool IsManagedIdentity(JsonNode? connection)
    {
        var properties = JsonEdit.Get(connection, "properties");
        return IsManagedIdentity(JsonEdit.String(properties, "parameterValueSet", "name"), JsonEdit.String(properties, "parameterValueType"));
    }

    /// <summary>
    /// Whether a connection with this parameter set (or parameter value type) signs in with the managed identity: the
    /// connector's managed-identity set by name, or its alternative sign-in when that is the managed identity (an
    /// alternative connection of a connector whose metadata lists no alternative is taken to be one).
    /// </summary>
    public bool IsManagedIdentity(string parameterValueSet, string parameterValueType)
    {
        if (string.Equals(parameterValueType, "Alternative", StringComparison.OrdinalIgnoreCase))
        {
            return AlternativeIsManagedIdentity ?? true;
        }

        return Style == ManagedIdentityStyle.ParameterValueSet && string.Equals(parameterValueSet, SetName, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsManagedIdentitySet(JsonObject set)
    {
        var name = JsonEdit.String(set, "name");
        var display = JsonEdit.String(set, "uiDefinition", "displayName");
        return ConnectionParameters.IsManagedIdentitySet(name) || display.IndexOf("managed identity", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    private static string OAuthParameterOf(JsonObject? parameters) =>
        parameters?.FirstOrDefault(p => string.Equals(JsonEdit.String(p.Value, "type"), "oauthSetting", StringComparison.OrdinalIgnoreCase)).Key ?? "";
}
