using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Expiry;

/// <summary>Reads the secrets (passwordCredentials) and certificates (keyCredentials) of one Graph application or service principal. Pure.</summary>
public static class ApplicationCredentials
{
    /// <summary>The properties a listing must $select for <see cref="Read"/>.</summary>
    public static readonly string[] ApplicationSelect = { "id", "appId", "displayName", "passwordCredentials", "keyCredentials" };

    public static readonly string[] ServicePrincipalSelect = { "id", "appId", "displayName", "servicePrincipalType", "passwordCredentials", "keyCredentials" };

    /// <summary>
    /// One row per credential that has an end date; nothing for a managed identity's service principal (Azure rotates
    /// its certificates itself). <paramref name="source"/> is "Application" or "ServicePrincipal".
    /// </summary>
    public static IEnumerable<ExpiringCredential> Read(JsonElement graphObject, string source)
    {
        if (string.Equals(Json.String(graphObject, "servicePrincipalType"), "ManagedIdentity", StringComparison.OrdinalIgnoreCase))
        {
            yield break;
        }

        var objectId = Json.String(graphObject, "id");
        var appId = Json.String(graphObject, "appId");
        var displayName = Json.String(graphObject, "displayName");
        var collection = string.Equals(source, "ServicePrincipal", StringComparison.OrdinalIgnoreCase) ? "servicePrincipals" : "applications";
        foreach (var (property, kind) in new[] { ("passwordCredentials", CredentialKind.Secret), ("keyCredentials", CredentialKind.Certificate) })
        {
            if (!(Json.Path(graphObject, property) is JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var credential in list.EnumerateArray())
            {
                if (!(Json.Date(credential, "endDateTime") is DateTimeOffset end))
                {
                    continue;
                }

                yield return new ExpiringCredential
                {
                    ResourceId = $"/{collection}/{objectId}",
                    Name = displayName,
                    Kind = kind,
                    Source = source,
                    DisplayName = displayName,
                    AppId = appId,
                    ObjectId = objectId,
                    CredentialId = Json.String(credential, "keyId"),
                    CredentialName = Json.String(credential, "displayName"),
                    StartDateTime = Json.Date(credential, "startDateTime"),
                    EndDateTime = end,
                    EstimateBasis = "Graph",
                };
            }
        }
    }

    /// <summary>Sets DaysRemaining and Expired from the window's clock.</summary>
    public static ExpiringCredential Stamp(ExpiringCredential row, CredentialWindow window)
    {
        row.DaysRemaining = window.DaysRemaining(row.EndDateTime);
        row.Expired = row.Expired || window.IsExpired(row.EndDateTime);
        return row;
    }

    /// <summary>The listing order: by end date, then kind, name and credential id, so that runs compare line by line.</summary>
    public static IReadOnlyList<ExpiringCredential> Sort(IEnumerable<ExpiringCredential> rows) =>
        rows.OrderBy(r => r.EndDateTime)
            .ThenBy(r => r.Kind)
            .ThenBy(r => r.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.CredentialId, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.ResourceId, StringComparer.OrdinalIgnoreCase)
            .ToList();
}
