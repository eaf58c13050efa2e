using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>What a connection's recorded error (statuses[].error, or a live test's answer) proves.</summary>
public sealed class StatusFinding
{
    public StatusFinding(DiagnosisCause cause, string evidence, string aadsts = "")
    {
        Cause = cause;
        Evidence = evidence;
        Aadsts = aadsts;
    }

    /// <summary>None when the error proves nothing (or there is no error); Unknown for an unrecognised failure.</summary>
    public DiagnosisCause Cause { get; }
    public string Evidence { get; }
    public string Aadsts { get; }
}

/// <summary>
/// Classifies the error Azure recorded on a connection: the error code (Unauthenticated, Unauthorized...) and the
/// Entra ID AADSTS code in its message. Pure: no I/O.
/// </summary>
public static class StatusClassifier
{
    private static readonly Regex AadstsPattern = new Regex(@"AADSTS(\d{5,7})", RegexOptions.CultureInvariant);

    /// <summary>Entra ID error codes seen when a connection's token can no longer be refreshed, and what each one means.</summary>
    private static readonly Dictionary<string, (DiagnosisCause Cause, string Meaning)> Aadsts = new Dictionary<string, (DiagnosisCause, string)>(StringComparer.Ordinal)
    {
        ["700082"] = (DiagnosisCause.OAuthTokenExpired, "refresh token expired due to inactivity"),
        ["70008"] = (DiagnosisCause.OAuthTokenExpired, "refresh token or authorization code expired"),
        ["70043"] = (DiagnosisCause.OAuthTokenExpired, "refresh token expired under a sign-in frequency policy"),
        ["700084"] = (DiagnosisCause.OAuthTokenExpired, "refresh token lifetime ended"),
        ["50173"] = (DiagnosisCause.OAuthTokenRevoked, "grant revoked, e.g. after a password change or reset"),
        ["50133"] = (DiagnosisCause.OAuthTokenRevoked, "session invalid after a password change or expiry"),
        ["50132"] = (DiagnosisCause.OAuthTokenRevoked, "session revoked after a password change or expiry"),
        ["50089"] = (DiagnosisCause.OAuthTokenRevoked, "flow token expired or revoked"),
        ["50076"] = (DiagnosisCause.OAuthTokenRevoked, "multifactor authentication now required"),
        ["50079"] = (DiagnosisCause.OAuthTokenRevoked, "multifactor authentication registration required"),
        ["50158"] = (DiagnosisCause.OAuthTokenRevoked, "conditional access challenge required"),
        ["53003"] = (DiagnosisCause.OAuthTokenRevoked, "blocked by conditional access"),
        ["65001"] = (DiagnosisCause.ConsentMissing, "consent not granted"),
        ["65004"] = (DiagnosisCause.ConsentMissing, "user declined consent"),
        ["50057"] = (DiagnosisCause.UserAccountDisabled, "user account is disabled"),
        ["50034"] = (DiagnosisCause.UserNotFound, "user account does not exist in the directory"),
        ["90072"] = (DiagnosisCause.WrongTenant, "account from another tenant is not in this directory"),
        ["7000222"] = (DiagnosisCause.SecretExpired, "client secret expired"),
        ["700027"] = (DiagnosisCause.CertificateExpired, "client certificate expired"),
        ["7000215"] = (DiagnosisCause.Unknown, "invalid client secret"),
        ["700016"] = (DiagnosisCause.Unknown, "application not found in the directory"),
        ["50053"] = (DiagnosisCause.Unknown, "account locked"),
        ["50126"] = (DiagnosisCause.Unknown, "invalid user name or password"),
    };

    /// <summary>The cause an AADSTS code proves, if it is a known one.</summary>
    public static DiagnosisCause? CauseOfAadsts(string code) =>
        Aadsts.TryGetValue(code.StartsWith("AADSTS", StringComparison.Ordinal) ? code.Substring(6) : code, out var known) ? known.Cause : (DiagnosisCause?)null;

    /// <summary>The first AADSTS code in a message ("AADSTS700082"), or "".</summary>
    public static string FindAadsts(string? message)
    {
        var match = AadstsPattern.Match(message ?? "");
        return match.Success ? "AADSTS" + match.Groups[1].Value : "";
    }

    /// <summary>
    /// Classifies an error code and message. <paramref name="source"/> names where they were seen (e.g. "statuses[0]")
    /// and starts the evidence.
    /// </summary>
    public static StatusFinding Classify(string? errorCode, string? errorMessage, string source = "status")
    {
        var code = (errorCode ?? "").Trim();
        var message = (errorMessage ?? "").Trim();
        if (code.Length == 0 && message.Length == 0)
        {
            return new StatusFinding(DiagnosisCause.None, "");
        }

        var aadsts = FindAadsts(message);
        var quoted = code.Length > 0 ? code : "error";
        if (aadsts.Length > 0)
        {
            if (Aadsts.TryGetValue(aadsts.Substring(6), out var known))
            {
                return new StatusFinding(known.Cause, $"{source}: {quoted} {aadsts} ({known.Meaning})", aadsts);
            }

            return new StatusFinding(DiagnosisCause.Unknown, $"{source}: {quoted} {aadsts} (not a known token failure): {Shorten(message)}", aadsts);
        }

        if (string.Equals(code, "Unauthenticated", StringComparison.OrdinalIgnoreCase))
        {
            return new StatusFinding(DiagnosisCause.ConsentMissing, $"{source}: Unauthenticated (never authorized: {Shorten(message)})");
        }

        if (message.IndexOf("Failed to refresh access token", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return new StatusFinding(DiagnosisCause.OAuthTokenExpired, $"{source}: {quoted} (Failed to refresh access token, no AADSTS code)");
        }

        return new StatusFinding(DiagnosisCause.Unknown, $"{source}: {quoted}: {Shorten(message)}".TrimEnd(' ', ':'));
    }

    /// <summary>One line, at most <paramref name="max"/> characters.</summary>
    public static string Shorten(string text, int max = 160)
    {
        var line = Regex.Replace(text ?? "", @"\s+", " ").Trim();
        return line.Length <= max ? line : line.Substring(0, max - 3) + "...";
    }
}
