using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Arm
{
    /// <summary>
    /// Azure Resource Graph queries, paged with <c>$skipToken</c>. Rows are whole resource documents, so the same
    /// readers serve ARM and Resource Graph. Pauses when the per-user quota says the window is used up.
    /// </summary>
    internal sealed class ResourceGraphClient
    {
        private const string Path = "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01";
        private const int PageSize = 1000;
        private readonly ArmRestClient arm;
        private readonly IOperationSink log;

        public ResourceGraphClient(ArmRestClient arm, IOperationSink log)
        {
            this.arm = arm;
            this.log = log;
        }

        /// <summary>
        /// Runs <paramref name="query"/> over the given subscriptions or management groups (neither: every subscription the caller can read).
        /// The next page is requested as soon as a page's $skipToken is known, so that the work on a page's rows overlaps that round trip
        /// (unless the quota is used up: then the rows are handed over first, and the query waits for the quota to reset).
        /// </summary>
        public async Task<int> QueryAsync(string query, IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups,
            Action<JsonElement> onRow, OperationProgress progress, CancellationToken cancellationToken)
        {
            int rows = 0, pages = 0;
            Task<(JsonDocument Body, IReadOnlyDictionary<string, string> Headers)>? next = FetchPageAsync(query, subscriptions, managementGroups, null, cancellationToken);
            while (next != null)
            {
                var (page, quota) = await next.ConfigureAwait(false);
                using (page)
                {
                    pages++;
                    var skipToken = Json.String(page.RootElement, "$skipToken");
                    var quotaWait = QuotaWait(quota);
                    next = skipToken.Length > 0 && quotaWait == TimeSpan.Zero
                        ? FetchPageAsync(query, subscriptions, managementGroups, skipToken, cancellationToken)
                        : null;
                    try
                    {
                        rows += HandOver(page.RootElement, onRow);
                        int.TryParse(Json.String(page.RootElement, "totalRecords"), out var total);
                        log.WriteProgress(new OperationProgress(progress.ActivityId, progress.Activity, $"{rows} of {total} rows",
                            total > 0 ? Math.Min(100, rows * 100 / total) : -1, completed: skipToken.Length == 0));
                    }
                    catch
                    {
                        if (next != null)
                        {
                            await DiscardAsync(next).ConfigureAwait(false);
                        }

                        throw;
                    }

                    if (quotaWait > TimeSpan.Zero)
                    {
                        log.WriteVerbose($"Resource Graph quota used up; waiting {quotaWait.TotalSeconds:0.#} s for it to reset.");
                        await Task.Delay(quotaWait, cancellationToken).ConfigureAwait(false);
                        next = skipToken.Length > 0 ? FetchPageAsync(query, subscriptions, managementGroups, skipToken, cancellationToken) : null;
                    }
                }
            }

            log.WriteVerbose($"Resource Graph: {rows} rows in {pages} pages.");
            return rows;
        }

        private Task<(JsonDocument Body, IReadOnlyDictionary<string, string> Headers)> FetchPageAsync(string query, IReadOnlyCollection<string> subscriptions,
            IReadOnlyCollection<string> managementGroups, string? skipToken, CancellationToken cancellationToken) =>
            arm.PostWithHeadersAsync(Path, RequestBody(query, subscriptions, managementGroups, skipToken), "/providers/Microsoft.ResourceGraph",
                "x-ms-user-quota-remaining", "x-ms-user-quota-resets-after", cancellationToken);

        private static int HandOver(JsonElement page, Action<JsonElement> onRow)
        {
            int rows = 0;
            if (Json.Path(page, "data") is JsonElement data && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var row in data.EnumerateArray())
                {
                    onRow(row);
                    rows++;
                }
            }

            return rows;
        }

        /// <summary>Waits out a page requested ahead that is no longer wanted, so that nothing runs on behind a failure.</summary>
        private static Task DiscardAsync(Task<(JsonDocument Body, IReadOnlyDictionary<string, string> Headers)> page) =>
            page.ContinueWith(t =>
            {
                if (t.Status == TaskStatus.RanToCompletion)
                {
                    t.Result.Body.Dispose();
                }
                else
                {
                    _ = t.Exception;
                }
            }, TaskScheduler.Default);

        /// <summary>How long to wait before the next query: zero unless the quota headers say the window is used up.</summary>
        private static TimeSpan QuotaWait(IReadOnlyDictionary<string, string> headers) =>
            headers.TryGetValue("x-ms-user-quota-remaining", out var remaining) && remaining.Trim() == "0"
            && headers.TryGetValue("x-ms-user-quota-resets-after", out var resetsAfter)
            && TimeSpan.TryParse(resetsAfter, CultureInfo.InvariantCulture, out var wait) && wait > TimeSpan.Zero
                ? wait
                : TimeSpan.Zero;

        private static string RequestBody(string query, IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups, string? skipToken)
        {
            using var buffer = new System.IO.MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                WriteArray(writer, "subscriptions", subscriptions);
                WriteArray(writer, "managementGroups", managementGroups);
                writer.WriteString("query", query);
                writer.WriteStartObject("options");
                writer.WriteNumber("$top", PageSize);
                writer.WriteString("resultFormat", "objectArray");
                if (!string.IsNullOrEmpty(skipToken))
                {
                    writer.WriteString("$skipToken", skipToken);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyCollection<string> values)
        {
            if (values.Count == 0)
            {
                return;
            }

            writer.WriteStartArray(name);
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        /// <summary>A KQL string literal (single quotes doubled are not KQL; backslash escapes are).</summary>
        public static string Literal(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
    }
}
