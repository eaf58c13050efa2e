using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>
/// A Service Bus, Event Hubs, Storage or SQL connection string (<c>Key=Value;…</c>), read for what it says about
/// authentication: a key, a shared access signature and its <c>se=</c> expiry, a client secret, and the target it
/// names. It holds secrets: it lives in memory only and has no text form.
/// </summary>
internal sealed class ConnectionString
{
    private readonly Dictionary<string, string> _parts;

    private ConnectionString(Dictionary<string, string> parts)
    {
        _parts = parts;
    }

    public static ConnectionString Parse(string text)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in (text ?? "").Split(';'))
        {
            var equals = part.IndexOf('=');
            if (equals > 0)
            {
                parts[part.Substring(0, equals).Trim()] = part.Substring(equals + 1).Trim();
            }
        }

        return new ConnectionString(parts);
    }

    public string this[string key] => _parts.TryGetValue(key, out var value) ? value : "";

    /// <summary>The key itself (Service Bus/Event Hubs <c>SharedAccessKey</c>, storage <c>AccountKey</c>), or "".</summary>
    public string Key => Or(this["SharedAccessKey"], this["AccountKey"]);

    /// <summary>The authorization rule a Service Bus/Event Hubs key belongs to (<c>SharedAccessKeyName</c>).</summary>
    public string KeyName => this["SharedAccessKeyName"];

    public string SharedAccessSignature => this["SharedAccessSignature"];

    public AuthenticationType Authentication
    {
        get
        {
            if (SharedAccessSignature.Length > 0)
            {
                return AuthenticationType.SharedAccessSignature;
            }

            var method = this["Authentication"];
            if (method.IndexOf("Service Principal", StringComparison.OrdinalIgnoreCase) >= 0 && this["Password"].Length > 0)
            {
                return AuthenticationType.ServicePrincipal;
            }

            if (method.IndexOf("Managed Identity", StringComparison.OrdinalIgnoreCase) >= 0 || method.IndexOf("Active Directory Default", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return AuthenticationType.ManagedIdentity;
            }

            return Key.Length > 0 || this["Password"].Length > 0 ? AuthenticationType.Key : AuthenticationType.Unknown;
        }
    }

    /// <summary>
    /// When the shared access signature ends: <c>se=</c> as an ISO 8601 time (storage) or Unix seconds (Service Bus
    /// and Event Hubs tokens); null when there is none.
    /// </summary>
    public DateTimeOffset? SignatureExpiry
    {
        get
        {
            foreach (var pair in SharedAccessSignature.Split('&', ' '))
            {
                if (!pair.StartsWith("se=", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var value = Uri.UnescapeDataString(pair.Substring(3));
                if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                {
                    return time;
                }
            }

            return null;
        }
    }

    /// <summary>The target's endpoint: <c>Endpoint</c> (sb://…), a service endpoint (<c>BlobEndpoint</c>, …), the account name, or the SQL server.</summary>
    public string Endpoint =>
        new[] { "Endpoint", "BlobEndpoint", "QueueEndpoint", "TableEndpoint", "AccountEndpoint", "AccountName", "Server", "Data Source" }
            .Select(key => this[key]).FirstOrDefault(value => value.Length > 0) ?? "";

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;
}
