using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>Whether an application still has a valid client secret or certificate. Pure.</summary>
public static class CredentialCheck
{
    /// <summary>
    /// Reads an application (Graph <c>passwordCredentials</c>, <c>keyCredentials</c>) and returns the causes it proves
    /// with their evidence: a kind of credential the app has, of which none is valid at <paramref name="now"/>.
    /// </summary>
    public static IReadOnlyList<(DiagnosisCause Cause, string Evidence)> Evaluate(JsonElement application, DateTimeOffset now)
    {
        var name = Json.String(application, "displayName");
        var appId = Json.String(application, "appId");
        var label = name.Length > 0 ? $"application {name} ({appId})" : $"application {appId}";
        var secrets = Ends(application, "passwordCredentials");
        var certificates = Ends(application, "keyCredentials");
        var results = new List<(DiagnosisCause, string)>();
        if (secrets.Count == 0 && certificates.Count == 0)
        {
            results.Add((DiagnosisCause.SecretExpired, $"Graph: {label} has no client secret or certificate"));
            return results;
        }

        if (certificates.Count > 0 && !certificates.Any(end => end == null || end > now))
        {
            results.Add((DiagnosisCause.CertificateExpired, $"Graph: {label}: {Describe(certificates, "certificate")}"));
        }

        if (secrets.Count > 0 && !secrets.Any(end => end == null || end > now))
        {
            results.Add((DiagnosisCause.SecretExpired, $"Graph: {label}: {Describe(secrets, "client secret")}"));
        }

        return results;
    }

    /// <summary>"its only client secret ended 2025-06-30" or "all 3 certificates ended (latest 2025-09-15)".</summary>
    private static string Describe(IReadOnlyList<DateTimeOffset?> ends, string kind)
    {
        var latest = ends.Max()!.Value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return ends.Count == 1 ? $"its only {kind} ended {latest}" : $"all {ends.Count} {kind}s ended (latest {latest})";
    }

    private static IReadOnlyList<DateTimeOffset?> Ends(JsonElement application, string property) =>
        Json.Path(application, property) is JsonElement array && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(c => Json.Date(c, "endDateTime")).ToList()
            : (IReadOnlyList<DateTimeOffset?>)Array.Empty<DateTimeOffset?>();
}
