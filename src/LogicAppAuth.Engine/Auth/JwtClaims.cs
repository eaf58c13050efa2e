using System;
using System.Text;
using System.Text.Json;

namespace LogicAppAuth.Engine.Auth;

/// <summary>
/// The few claims of an access token that describe who signed in (tenant, object id, name, expiry).
/// Read without validation: the token is the caller's own and only the service validates it.
/// </summary>
internal sealed class JwtClaims
{
    public string TenantId { get; private set; } = "";
    public string ObjectId { get; private set; } = "";
    public string Account { get; private set; } = "";
    public DateTimeOffset? ExpiresOn { get; private set; }

    public static JwtClaims? TryRead(string token)
    {
        var parts = token.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(DecodeBase64Url(parts[1]));
            var root = doc.RootElement;
            var claims = new JwtClaims
            {
                TenantId = Read(root, "tid"),
                ObjectId = Read(root, "oid"),
                Account = FirstNonEmpty(Read(root, "upn"), Read(root, "unique_name"), Read(root, "appid"), Read(root, "azp"), Read(root, "oid")),
            };
            if (root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds))
            {
                claims.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            return claims;
        }
        catch (Exception e) when (e is FormatException || e is JsonException || e is ArgumentException)
        {
            return null;
        }
    }

    private static string Read(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static string FirstNonEmpty(params string[] values) => Array.Find(values, v => v.Length > 0) ?? "";

    private static byte[] DecodeBase64Url(string segment)
    {
        var base64 = segment.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        return Convert.FromBase64String(base64);
    }
}
