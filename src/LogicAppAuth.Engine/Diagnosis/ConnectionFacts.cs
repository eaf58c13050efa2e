using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Engine.Diagnosis
{
    /// <summary>
    /// A connection document as diagnosis needs it: the inventory row (status, auth type, user, tenant) read by the
    /// shared <see cref="ConnectionDocument"/> parser, plus the non-secret parameters and the test endpoints.
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

        public static ConnectionFacts Read(JsonElement document)
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

        /// <summary>A connection that is referenced but does not exist.</summary>
        public static ConnectionFacts Missing(ConnectorStatus status, string apiId) => new ConnectionFacts(status) { ApiId = apiId };

        private static JsonElement? First(JsonElement properties, string name) =>
            Json.Path(properties, name) is JsonElement array && array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > 0 && array[0].ValueKind == JsonValueKind.Object
                ? array[0]
                : (JsonElement?)null;
    }
}
