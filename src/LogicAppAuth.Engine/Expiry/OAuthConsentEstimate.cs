using System;
using System.Globalization;

namespace LogicAppAuth.Engine.Expiry;

/// <summary>
/// When an OAuth connection's refresh token will lapse. Entra ID lets a refresh token lapse after 90 days without use,
/// so the estimate is the connection's last known use plus 90 days. The last use is the later of the newest successful
/// run of a workflow that uses it (when run history is readable) and the connection's changedTime (a new consent
/// changes it); EstimateBasis says which one decided. A connection whose status already reports a dead token (AADSTS
/// in an Unauthorized error) is expired whatever the estimate says (basis ConnectionStatus). Pure.
/// </summary>
public static class OAuthConsentEstimate
{
    public static readonly TimeSpan InactivityLifetime = TimeSpan.FromDays(90);

    /// <summary>True for the connections that hold a refresh token: OAuth, present, and consented at least once.</summary>
    public static bool Applies(ConnectorStatus status) =>
        status.AuthenticationType == AuthenticationType.OAuth
        && status.Exists
        && !string.Equals(status.ErrorCode, "Unauthenticated", StringComparison.OrdinalIgnoreCase);

    /// <param name="lastSuccessfulRun">The newest successful run of a workflow that uses the connection, or null when none was readable.</param>
    /// <param name="lastRunWorkflow">The workflow of that run.</param>
    public static ExpiringCredential? Create(ConnectorStatus status, DateTimeOffset? lastSuccessfulRun, string lastRunWorkflow, CredentialWindow window)
    {
        if (!Applies(status))
        {
            return null;
        }

        var changed = status.ChangedTime ?? status.CreatedTime;
        DateTimeOffset lastUse;
        string basis, seen;
        if (lastSuccessfulRun is DateTimeOffset run && (changed == null || run >= changed.Value))
        {
            lastUse = run;
            basis = "RunHistory";
            seen = $"last successful run {Day(run)} ({lastRunWorkflow})";
        }
        else if (changed is DateTimeOffset changedTime)
        {
            lastUse = changedTime;
            basis = "ChangedTime";
            seen = lastSuccessfulRun == null
                ? $"no successful run found; connection last changed {Day(changedTime)}"
                : $"connection last changed {Day(changedTime)}, after the last successful run";
        }
        else
        {
            return null;
        }

        var end = lastUse + InactivityLifetime;
        var expired = false;
        if (TokenIsDead(status))
        {
            expired = true;
            basis = "ConnectionStatus";
            end = end < window.Now ? end : window.Now;
            seen = $"connection status {status.ErrorCode}: {Shorten(status.ErrorMessage)}; {seen}";
        }

        var usedBy = status.UsedByCount > 0 ? $"; used by {status.UsedBy}" : "";
        var row = new ExpiringCredential
        {
            ResourceId = status.ResourceId,
            SubscriptionId = status.SubscriptionId,
            ResourceGroupName = status.ResourceGroupName,
            Name = status.Name,
            Kind = CredentialKind.OAuthConsent,
            Source = "Connection",
            DisplayName = status.DisplayName.Length > 0 ? status.DisplayName : status.Name,
            CredentialName = "refresh token",
            EndDateTime = end,
            Expired = expired,
            UsedBy = status.Name,
            UsedByCount = 1,
            UsedByResourceId = status.ResourceId,
            EstimateBasis = basis,
            ApiName = status.ApiName,
            AuthenticatedUser = status.AuthenticatedUser,
            Detail = $"refresh token lapses 90 days after last use; {seen}{usedBy}",
        };
        return ApplicationCredentials.Stamp(row, window);
    }

    /// <summary>Unauthorized with a refresh failure or an AADSTS code: the token can no longer be refreshed.</summary>
    public static bool TokenIsDead(ConnectorStatus status) =>
        status.Status == ConnectionStatus.Error
        && string.Equals(status.ErrorCode, "Unauthorized", StringComparison.OrdinalIgnoreCase)
        && (status.ErrorMessage.IndexOf("AADSTS", StringComparison.OrdinalIgnoreCase) >= 0
            || status.ErrorMessage.IndexOf("refresh", StringComparison.OrdinalIgnoreCase) >= 0);

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Shorten(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message ?? "", @"AADSTS\d+");
        if (match.Success)
        {
            return match.Value;
        }

        return message == null ? "" : message.Length <= 80 ? message : message.Substring(0, 80) + "...";
    }
}
