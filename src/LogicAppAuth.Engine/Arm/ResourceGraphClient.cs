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

        /// <summary>Runs <paramref name="query"/> over the given subscriptions or management groups (neither: every subscription the caller can read).</summary>
        public async Task<int> QueryAsync(string query, IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups,
            Action<JsonElement> onRow, OperationProgress progress, CancellationToken cancellationToken)
        {
            int rows = 0, pages = 0;
            string? skipToken = null;
            do
            {
                var body = RequestBody(query, subscriptions, managementGroups, skipToken);
                var (page, quota) = await arm.PostWithHeadersAsync(Path, body, "/providers/Microsoft.ResourceGraph", "x-ms-user-quota-remaining", "x-ms-user-quota-resets-after", cancellationToken)
                    .ConfigureAwait(false);
                using (page)
                {
                    if (Json.Path(page.RootElement, "data") is JsonElement data && data.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var row in data.EnumerateArray())
                        {
                            onRow(row);
                            rows++;
                        }
                    }

                    skipToken = Json.String(page.RootElement, "$skipToken");
                    int.TryParse(Json.String(page.RootElement, "totalRecords"), out var total);
                    log.WriteProgress(new OperationProgress(progress.ActivityId, progress.Activity, $"{rows} of {total} rows",
                        total > 0 ? Math.Min(100, rows * 100 / total) : -1, completed: string.IsNullOrEmpty(skipToken)));
                }

                pages++;
                await WaitForQuotaAsync(quota, cancellationToken).ConfigureAwait(false);
            }
            while (!string.IsNullOrEmpty(skipToken));

            log.WriteVerbose($"Resource Graph: {rows} rows in {pages} pages.");
            return rows;
        }

        private async Task WaitForQuotaAsync(IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
        {
            if (headers.TryGetValue("x-ms-user-quota-remaining", out var remaining) && remaining.Trim() == "0"
                && headers.TryGetValue("x-ms-user-quota-resets-after", out var resetsAfter)
                && TimeSpan.TryParse(resetsAfter, CultureInfo.InvariantCulture, out var wait) && wait > TimeSpan.Zero)
            {
                log.WriteVerbose($"Resource Graph quota used up; waiting {wait.TotalSeconds:0.#} s for it to reset.");
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

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
