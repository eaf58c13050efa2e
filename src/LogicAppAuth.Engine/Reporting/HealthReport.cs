using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace LogicAppAuth.Engine.Reporting;

/// <summary>One connection in the report: its diagnosis when one was given, else what its status says.</summary>
public sealed class ReportConnection
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public string ApiName { get; set; } = "";
    public string Status { get; set; } = "";
    public bool Healthy { get; set; }
    public string Cause { get; set; } = "";
    public string Evidence { get; set; } = "";
    public string Fix { get; set; } = "";
    public string UsedBy { get; set; } = "";
}

/// <summary>One credential in the report: when it ends.</summary>
public sealed class ReportCredential
{
    public DateTimeOffset EndDateTime { get; set; }
    public int DaysRemaining { get; set; }
    public bool Expired { get; set; }
}

/// <summary>
/// What the HTML report shows, gathered from piped ConnectorDiagnosis, ConnectorStatus and ExpiringCredential objects.
/// A connection piped both as a status and as a diagnosis appears once, as the diagnosis. Text is scrubbed of anything
/// that could carry a secret (links with a query string, token-shaped strings) before it is kept.
/// </summary>
public sealed class HealthReport
{
    private static readonly Regex LinkWithQuery = new Regex(@"https?://[^\s""'<>]*\?[^\s""'<>]*", RegexOptions.Compiled | RegexOptions.IgnoreCase);
    private static readonly Regex TokenShaped = new Regex(@"eyJ[\w-]{8,}\.[\w-]{8,}(\.[\w-]*)?", RegexOptions.Compiled);

    private readonly Dictionary<string, ReportConnection> _connections = new Dictionary<string, ReportConnection>(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _diagnosed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    private readonly List<ReportCredential> _credentials = new List<ReportCredential>();

    public DateTimeOffset GeneratedAt { get; set; } = DateTimeOffset.UtcNow;

    public IReadOnlyCollection<ReportConnection> Connections => _connections.Values;

    public IReadOnlyList<ReportCredential> Credentials => _credentials;

    public void Add(ConnectorDiagnosis diagnosis)
    {
        _diagnosed.Add(diagnosis.ResourceId);
        _connections[diagnosis.ResourceId] = new ReportConnection
        {
            ResourceId = diagnosis.ResourceId,
            SubscriptionId = diagnosis.SubscriptionId,
            ResourceGroupName = diagnosis.ResourceGroupName,
            Name = diagnosis.Name,
            ApiName = diagnosis.ApiName,
            Status = diagnosis.Status.ToString(),
            Healthy = diagnosis.Healthy,
            Cause = diagnosis.Cause.ToString(),
            Evidence = Scrub(diagnosis.Evidence),
            Fix = Scrub(diagnosis.RemediationCommand),
            UsedBy = diagnosis.UsedBy,
        };
    }

    public void Add(ConnectorStatus status)
    {
        if (_diagnosed.Contains(status.ResourceId))
        {
            return;
        }

        var healthy = status.Status == ConnectionStatus.Connected;
        _connections[status.ResourceId] = new ReportConnection
        {
            ResourceId = status.ResourceId,
            SubscriptionId = status.SubscriptionId,
            ResourceGroupName = status.ResourceGroupName,
            Name = status.Name,
            ApiName = status.ApiName,
            Status = status.Status.ToString(),
            Healthy = healthy,
            Cause = healthy ? DiagnosisCause.None.ToString() : "NotDiagnosed",
            Evidence = Scrub(string.Join(": ", new[] { status.ErrorCode, status.ErrorMessage }.Where(s => !string.IsNullOrEmpty(s)))),
            Fix = healthy ? "" : $"Test-LogicConnectorAuth -ResourceId '{status.ResourceId}'",
            UsedBy = status.UsedBy,
        };
    }

    public void Add(ExpiringCredential credential) => _credentials.Add(new ReportCredential
    {
        EndDateTime = credential.EndDateTime,
        DaysRemaining = credential.DaysRemaining,
        Expired = credential.Expired,
    });

    /// <summary>Who the report is about: the subscriptions and resource groups its connections come from.</summary>
    public string Scope
    {
        get
        {
            var subscriptions = _connections.Values.Select(c => c.SubscriptionId).Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var groups = _connections.Values.Select(c => c.SubscriptionId + "/" + c.ResourceGroupName).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            return subscriptions.Count == 1
                ? $"subscription {subscriptions[0]}, {Plural(groups, "resource group")}"
                : $"{Plural(subscriptions.Count, "subscription")}, {Plural(groups, "resource group")}";
        }
    }

    internal static string Scrub(string text) =>
        string.IsNullOrEmpty(text) ? "" : TokenShaped.Replace(LinkWithQuery.Replace(text, "[link removed]"), "[token removed]");

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
