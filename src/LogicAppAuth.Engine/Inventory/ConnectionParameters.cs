using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// The one reader of a Microsoft.Web/connections document's non-secret parameter values. They sit in
/// <c>nonSecretParameterValues</c> on GET, in <c>parameterValues</c> in templates and exports, in
/// <c>alternativeParameterValues</c> on connections of <c>parameterValueType: "Alternative"</c> (e.g. a Key Vault
/// connection's <c>vaultName</c>), and in <c>parameterValueSet.values</c> (each a string or <c>{ value }</c>) on
/// multi-auth connectors. The first bag that has a value wins, in that order. Pure.
/// </summary>
public static class ConnectionParameters
{
    private static readonly string[] Bags = { "nonSecretParameterValues", "parameterValues", "alternativeParameterValues" };

    /// <summary>The connection's <c>token:clientId</c> (the app it signs in as), or "".</summary>
    public static string ClientId(JsonElement connectionDocument) =>
        Json.Path(connectionDocument, "properties") is JsonElement properties ? Value(properties, "token:clientId") : "";

    /// <summary>One parameter's value from the connection's <c>properties</c>, or "".</summary>
    public static string Value(JsonElement properties, string name)
    {
        foreach (var bag in Bags)
        {
            var value = Json.String(properties, bag, name);
            if (value.Length > 0)
            {
                return value;
            }
        }

        return Json.Path(properties, "parameterValueSet", "values", name) is JsonElement set ? SetValue(set) : "";
    }

    /// <summary>Every string parameter of the connection's <c>properties</c> by name.</summary>
    public static IReadOnlyDictionary<string, string> All(JsonElement properties)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Json.Path(properties, "parameterValueSet", "values") is JsonElement set && set.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in set.EnumerateObject())
            {
                Keep(all, p.Name, SetValue(p.Value));
            }
        }

        for (var i = Bags.Length - 1; i >= 0; i--)
        {
            if (Json.Path(properties, Bags[i]) is JsonElement values && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in values.EnumerateObject())
                {
                    Keep(all, p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : "");
                }
            }
        }

        return all;
    }

    /// <summary>True when a parameter-set name means the connector's managed-identity sign-in: Azure names it
    /// <c>managedIdentityAuth</c> on most connectors and <c>oauthMI</c> on others (Key Vault, SQL).</summary>
    public static bool IsManagedIdentitySet(string setName) =>
        setName.IndexOf("managedidentity", StringComparison.OrdinalIgnoreCase) >= 0 || setName.EndsWith("MI", StringComparison.Ordinal);

    /// <summary>True when any bag holds a parameter.</summary>
    public static bool Any(JsonElement properties)
    {
        foreach (var bag in Bags.Concat(new[] { "customParameterValues", "parameterValueSet" }))
        {
            if (Json.Path(properties, bag) is JsonElement e && e.ValueKind == JsonValueKind.Object && e.EnumerateObject().GetEnumerator().MoveNext())
            {
                return true;
            }
        }

        return false;
    }

    private static void Keep(Dictionary<string, string> all, string name, string value)
    {
        if (value.Length > 0)
        {
            all[name] = value;
        }
    }

    private static string SetValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : Json.String(value, "value");
}
