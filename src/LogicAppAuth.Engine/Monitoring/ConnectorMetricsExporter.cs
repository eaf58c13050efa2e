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
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Monitoring
{
    /// <summary>What Export-LogicConnectorMetric asked for.</summary>
    public sealed class MetricExportOptions
    {
        /// <summary>On the first export (no earlier file), failed runs since this time are counted.</summary>
        public TimeSpan FirstLookback { get; set; } = TimeSpan.FromHours(24);

        public bool ReadRunHistory { get; set; } = true;
        public bool UseResourceGraph { get; set; } = true;
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

        private readonly AzureSession session;
        private readonly IOperationSink sink;
        private readonly MetricExportOptions options;
        private readonly DateTimeOffset now;
        private readonly ArmRestClient arm;

        public ConnectorMetricsExporter(AzureSession session, IOperationSink sink, MetricExportOptions options)
        {
            this.session = session;
            this.sink = sink;
            this.options = options;
            now = options.Now ?? DateTimeOffset.UtcNow;
            arm = session.Arm(sink);
        }

        /// <summary>Reads the scope and returns the file's text; <paramref name="previousText"/> is the last export (or null).</summary>
        public async Task<string> BuildAsync(IReadOnlyList<ConnectionScope> scopes, string? previousText, CancellationToken cancellationToken)
        {
            var scanner = new ExpiringCredentialScanner(session, sink, new ExpiringCredentialOptions
            {
                WithinDays = 36500,
                ReadRunHistory = options.ReadRunHistory,
                UseResourceGraph = options.UseResourceGraph,
                Now = now,
            });
            var credentials = await scanner.CollectAsync(scopes, cancellationToken).ConfigureAwait(false);
            var connections = scanner.Connections;

            var previous = PrometheusText.Parse(previousText ?? "");
            var since = previous.FirstOrDefault(s => s.Name == ScannedUntil) is MetricSample mark
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(mark.Value * 1000))
                : now - options.FirstLookback;
            var failures = options.ReadRunHistory
                ? await CountAuthFailuresAsync(connections, since, cancellationToken).ConfigureAwait(false)
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
                new[] { new MetricSample(ScannedUntil, Array.Empty<KeyValuePair<string, string>>(), Math.Round(now.ToUnixTimeMilliseconds() / 1000.0, 3)) });
            sink.WriteVerbose($"Metrics: {connections.Count} connections, {failures.Values.Sum()} new authentication failures in runs since {since.UtcDateTime:o}.");
            return text.ToString();
        }

        /// <summary>Builds the file and writes it atomically (a temporary file renamed over the target).</summary>
        public async Task ExportAsync(IReadOnlyList<ConnectionScope> scopes, string path, CancellationToken cancellationToken)
        {
            var previous = File.Exists(path) ? File.ReadAllText(path) : null;
            var text = await BuildAsync(scopes, previous, cancellationToken).ConfigureAwait(false);
            AtomicFile.Write(path, text);
            sink.WriteVerbose($"Wrote {Encoding.UTF8.GetByteCount(text)} bytes to {path}.");
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
                    var valid = appCredentials.Where(r => r.EndDateTime > now).ToList();
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
                    yield return new MetricSample(ExpiryDays, labels, Math.Round((known - now).TotalDays, 2));
                }
            }
        }

        /// <summary>
        /// Failed runs (started after <paramref name="since"/>) of the Consumption workflows that use the connections, whose
        /// failed actions on a connection failed with an authentication error; counted per connection id.
        /// </summary>
        private async Task<Dictionary<string, int>> CountAuthFailuresAsync(IReadOnlyList<ConnectorStatus> connections, DateTimeOffset since, CancellationToken cancellationToken)
        {
            var workflows = connections
                .Where(c => c.UsedByCount > 0)
                .SelectMany(c => c.UsedBy.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries)
                    .Select(w => $"{AzureResourceId.ResourceGroup(c.SubscriptionId, c.ResourceGroupName)}/providers/Microsoft.Logic/workflows/{w}"))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            var counts = new ConcurrentDictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var sinceText = since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
            await Concurrency.ForEachAsync(workflows, async workflowId =>
            {
                IReadOnlyDictionary<string, string> actionConnections;
                try
                {
                    using var workflow = await arm.GetAsync($"{workflowId}?api-version={ApiVersions.Workflows}", workflowId, cancellationToken).ConfigureAwait(false);
                    actionConnections = WorkflowConnections.ActionConnections(workflow.RootElement);
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
                {
                    return;
                }

                var failedRuns = new List<string>();
                try
                {
                    await arm.ListAsync($"{workflowId}/runs?api-version={ApiVersions.Workflows}&$filter=" + Uri.EscapeDataString($"status eq 'Failed' and startTime ge {sinceText}"),
                        run =>
                        {
                            if (string.Equals(Json.String(run, "properties", "status"), "Failed", StringComparison.OrdinalIgnoreCase)
                                && Json.Date(run, "properties", "startTime") is DateTimeOffset start && start > since && start <= now)
                            {
                                failedRuns.Add(Json.String(run, "id"));
                            }
                        }, workflowId, cancellationToken).ConfigureAwait(false);
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
                {
                    sink.WriteVerbose($"Run history of {workflowId} not readable ({e.ErrorId}).");
                    return;
                }

                foreach (var runId in failedRuns.Where(r => r.Length > 0))
                {
                    var hit = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    await arm.ListAsync($"{runId}/actions?api-version={ApiVersions.Workflows}&$filter=" + Uri.EscapeDataString("status eq 'Failed'"), action =>
                    {
                        if (string.Equals(Json.String(action, "properties", "status"), "Failed", StringComparison.OrdinalIgnoreCase)
                            && WorkflowConnections.IsAuthFailure(action)
                            && actionConnections.TryGetValue(Json.String(action, "name"), out var connectionId))
                        {
                            hit.Add(connectionId);
                        }
                    }, runId, cancellationToken).ConfigureAwait(false);
                    foreach (var connectionId in hit)
                    {
                        counts.AddOrUpdate(connectionId, 1, (_, n) => n + 1);
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
            return new Dictionary<string, int>(counts, StringComparer.OrdinalIgnoreCase);
        }
    }
}
