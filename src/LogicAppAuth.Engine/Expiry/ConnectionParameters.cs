using System;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Expiry
{
    /// <summary>
    /// The non-secret parameters of a Microsoft.Web/connections document that link it to an app registration. The
    /// inventory's rows do not carry them, so service-principal connections are read once more through ARM. Pure.
    /// </summary>
    public static class ConnectionParameters
    {
        /// <summary>The connection's <c>token:clientId</c> (the app it signs in as), or "".</summary>
        public static string ClientId(JsonElement connectionDocument) => Parameter(connectionDocument, "token:clientId");

        public static string Parameter(JsonElement connectionDocument, string name)
        {
            var properties = Json.Path(connectionDocument, "properties") ?? default;
            if (properties.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            foreach (var bag in new[] { "nonSecretParameterValues", "parameterValues" })
            {
                var value = Json.String(properties, bag, name);
                if (value.Length > 0)
                {
                    return value;
                }
            }

            if (Json.Path(properties, "parameterValueSet", "values", name) is JsonElement set)
            {
                return set.ValueKind == JsonValueKind.String ? set.GetString() ?? "" : Json.String(set, "value");
            }

            return "";
        }
    }
}
