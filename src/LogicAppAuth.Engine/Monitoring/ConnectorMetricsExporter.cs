using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Expiry;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.RunHistory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Monitoring;

/// <summary>What Export-LogicConnectorMetric asked for.</summary>
public sealed class MetricExportOptions
{
    /// <summary>On the first export (no earlier file), failed runs since this time are counted.</summary>
    public TimeSpan FirstLookback { get; set; } = TimeSpan.FromHours(24);

    public bool ReadRunHistory { get; set; } = true;
    public bool UseResourceGraph { get; set; } = true;

    /// <summary>Which connections of the scope count (-Name, -ApiName); null: all.</summary>
    public Func<ConnectorStatus, bool>? ConnectionFilter { get; set; }

    public DateTimeOffset? Now { get; set; }
}

/// <summary>
/// The Prometheus textfile for node_exporter: per connection, whether it is connected, whether its status shows an
/// authentication failure, and the days left on the credential it depends on; and a counter of authentication
/// failures seen in run history, <c>azure_logicapp_auth_failures_total</c>, so that
/// <c>rate(azure_logicapp_auth_failures_total[5m]) &gt; 0</c> fires. The counter only grows: each export reads the
/// previous file, counts the failed runs that started after the time it recorded, and adds them.
/// </summary>
public sealed class ConnectorMetricsExporter
{
    public const string FailuresTotal = "azure_logicapp_auth_failures_total";
    public const string ScannedUntil = "azure_logicapp_auth_failures_scanned_until_timestamp_seconds";
    public const string Connected = "azure_logicapp_connection_connected";
    public const string AuthFailure = "azure_logicapp_connection_auth_failure";
    public const string ExpiryDays = "azure_logicapp_connection_credential_expiry_days";

    private readonly AzureSession _session;
    private readonly IOperationSink _sink;
    private readonly MetricExportOptions _options;
    private readonly DateTimeOffset _now;
    private readonly ArmRestClient _arm;

    public ConnectorMetricsExporter(AzureSession session, IOperationSink sink, MetricExportOptions options)
    {
        _session = session;
        _sink = sink;
        _options = options;
        _now = options.Now ?? DateTimeOffset.UtcNow;
        _arm = session.Arm(sink);
    }

    /// <summary>Reads the scope and returns the file's text; <paramref name="previousText"/> is the last export (or null).</summary>
    public async Task<string> BuildAsync(IReadOnlyList<ConnectionScope> scopes, string? previousText, CancellationToken cancellationToken)
    {
        var scanner = new ExpiringCredentialScanner(_session, _sink, new ExpiringCredentialOptions
        {
            WithinDays = 36500,
            ReadRunHistory = _options.ReadRunHistory,
            UseResourceGraph = _options.UseResourceGraph,
            ConnectionFilter = _options.ConnectionFilter,
            Now = _now,
        });
        var credentials = await scanner.CollectAsync(scopes, cancellationToken).ConfigureAwait(false);
        var connections = scanner.Connections;

        var previous = PrometheusText.Parse(previousText ?? "");
        var since = previous.FirstOrDefault(s => s.Name == ScannedUntil) is MetricSample mark
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(mark.Value * 1000))
            : _now - _options.FirstLookback;
        var failures = _options.ReadRunHistory
            ? await CountAuthFailuresAsync(scanner.Entries, since, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

        var text = new StringBuilder();
        PrometheusText.WriteFamily(text, Connected, "gauge", "1 when every status Azure reports for the API connection is Connected, else 0.",
            connections.Select(c => new MetricSample(Connected, Labels(c), c.Status == ConnectionStatus.Connected ? 1 : 0)));
        PrometheusText.WriteFamily(text, AuthFailure, "gauge", "1 when the API connection's status shows an authentication failure (Unauthorized, Unauthenticated, Forbidden or an AADSTS error), else 0.",
            connections.Select(c => new MetricSample(AuthFailure, Labels(c), IsAuthFailure(c) ? 1 : 0)));
        PrometheusText.WriteFamily(text, ExpiryDays, "gauge", "Days until the credential the connection depends on ends (negative: ended); app secrets and certificates from Microsoft Graph, OAuth refresh tokens estimated.",
            ExpirySamples(connections, credentials, scanner));

        var counters = new Dictionary<string, MetricSample>(StringComparer.Ordinal);
        foreach (var old in previous.Where(s => s.Name == FailuresTotal))
        {
            counters[old.Series] = old;
        }

        foreach (var connection in connections)
        {
            var labels = CounterLabels(connection);
            var series = FailuresTotal + PrometheusText.FormatLabels(labels);
            var before = counters.TryGetValue(series, out var sample) ? sample.Value : 0;
            failures.TryGetValue(connection.ResourceId, out var added);
            counters[series] = new MetricSample(FailuresTotal, labels, before + added);
        }

        PrometheusText.WriteFamily(text, FailuresTotal, "counter", "Workflow runs whose action on this API connection failed with an authentication error, counted from run history.",
            counters.Values);
        PrometheusText.WriteFamily(text, ScannedUntil, "gauge", "Run history has been counted up to this time (Unix seconds); the next export counts the runs that started after it.",
            new[] { new MetricSample(ScannedUntil, Array.Empty<KeyValuePair<string, string>>(), Math.Round(_now.ToUnixTimeMilliseconds() / 1000.0, 3)) });
        _sink.WriteVerbose($"Metrics: {connections.Count} connections, {failures.Values.Sum()} new authentication failures in runs since {since.UtcDateTime:o}.");
        return text.ToString();
    }

    /// <summary>Builds the file and writes it atomically (a temporary file renamed over the target).</summary>
    public async Task ExportAsync(IReadOnlyList<ConnectionScope> scopes, string path, CancellationToken cancellationToken)
    {
        var previous = File.Exists(path) ? File.ReadAllText(path) : null;
        var text = await BuildAsync(scopes, previous, cancellationToken).ConfigureAwait(false);
        AtomicFile.Write(path, text);
        _sink.WriteVerbose($"Wrote {Encoding.UTF8.GetByteCount(text)} bytes to {path}.");
    }

    private static List<KeyValuePair<string, string>> CounterLabels(ConnectorStatus c) => new List<KeyValuePair<string, string>>
    {
        new KeyValuePair<string, string>("subscription_id", c.SubscriptionId),
        new KeyValuePair<string, string>("resource_group", c.ResourceGroupName),
        new KeyValuePair<string, string>("connection", c.Name),
        new KeyValuePair<string, string>("api", c.ApiName),
    };

    private static List<KeyValuePair<string, string>> Labels(ConnectorStatus c)
    {
        var labels = CounterLabels(c);
        labels.Add(new KeyValuePair<string, string>("auth_type", c.AuthenticationType.ToString()));
        labels.Add(new KeyValuePair<string, string>("status", c.Status.ToString()));
        return labels;
    }

    private static bool IsAuthFailure(ConnectorStatus c) =>
        c.Status == ConnectionStatus.Error
        && (new[] { "Unauthorized", "Unauthenticated", "Forbidden" }.Contains(c.ErrorCode, StringComparer.OrdinalIgnoreCase)
            || c.ErrorMessage.IndexOf("AADSTS", StringComparison.OrdinalIgnoreCase) >= 0);

    /// <summary>
    /// Service-principal connections: the soonest end among the app's credentials that are still valid, or, when all
    /// have ended, the latest end. OAuth connections: the refresh token's estimated end.
    /// </summary>
    private IEnumerable<MetricSample> ExpirySamples(IReadOnlyList<ConnectorStatus> connections, IReadOnlyList<ExpiringCredential> rows, ExpiringCredentialScanner scanner)
    {
        foreach (var connection in connections.Where(c => c.Exists))
        {
            DateTimeOffset? end = null;
            var basis = "";
            if (scanner.ConnectionClientIds.TryGetValue(connection.ResourceId, out var clientId)
                && scanner.CredentialsByAppId.TryGetValue(clientId.ToLowerInvariant(), out var appCredentials) && appCredentials.Count > 0)
            {
                var valid = appCredentials.Where(r => r.EndDateTime > _now).ToList();
                end = valid.Count > 0 ? valid.Min(r => r.EndDateTime) : appCredentials.Max(r => r.EndDateTime);
                basis = "Graph";
            }
            else if (rows.FirstOrDefault(r => r.Kind == CredentialKind.OAuthConsent && string.Equals(r.ResourceId, connection.ResourceId, StringComparison.OrdinalIgnoreCase)) is ExpiringCredential oauth)
            {
                end = oauth.EndDateTime;
                basis = oauth.EstimateBasis;
            }

            if (end is DateTimeOffset known)
            {
                var labels = Labels(connection);
                labels.Add(new KeyValuePair<string, string>("basis", basis));
                yield return new MetricSample(ExpiryDays, labels, Math.Round((known - _now).TotalDays, 2));
            }
        }
    }

    /// <summary>
    /// Failed runs (started after <paramref name="since"/>) of the Consumption workflows that use the connections, in which
    /// a call through a connection failed to authenticate; counted per connection id, by the same reader and rules as
    /// Test-LogicConnectorAuth -IncludeRunHistory.
    /// </summary>
    private async Task<Dictionary<string, int>> CountAuthFailuresAsync(IReadOnlyList<InventoryEntry> entries, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var byWorkflow = entries.SelectMany(e => e.References).Where(r => !r.IsStandardApp).GroupBy(r => r.ResourceId, StringComparer.OrdinalIgnoreCase).ToList();
        var counts = new ConcurrentDictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var reader = new FailedRunReader(_arm);
        await Concurrency.ForEachAsync(byWorkflow, async workflow =>
        {
            IReadOnlyList<FailedAction> failed;
            try
            {
                failed = await reader.ReadAsync(workflow.Key, since, _now, int.MaxValue, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
            {
                _sink.WriteVerbose($"Run history of {workflow.Key} not readable ({e.ErrorId}).");
                return;
            }

            foreach (var connection in workflow.GroupBy(r => r.ConnectionId, StringComparer.OrdinalIgnoreCase))
            {
                var runs = FailedRunReader.RunsThrough(failed, connection.ToList()).Count;
                if (runs > 0)
                {
                    counts.AddOrUpdate(connection.Key, runs, (_, n) => n + runs);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, int>(counts, StringComparer.OrdinalIgnoreCase);
    }
}
