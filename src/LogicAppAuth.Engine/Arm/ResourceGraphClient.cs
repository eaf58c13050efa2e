using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// Azure Resource Graph queries, paged with <c>$skipToken</c>. Rows are whole resource documents, so the same
/// readers serve ARM and Resource Graph. Pauses when the per-user quota says the window is used up.
/// </summary>
internal sealed class ResourceGraphClient
{
    private const string Path = "/providers/Microsoft.ResourceGraph/resources?api-version=" + ApiVersions.ResourceGraph;
    private const int PageSize = 1000;
    private const string SubscriptionLimitHitHeader = "x-ms-tenant-subscription-limit-hit";

    /// <summary>Most subscriptions one query may name (Resource Graph's documented limit).</summary>
    public const int MaxSubscriptionsPerQuery = 1000;

    private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    private readonly ArmRestClient _arm;
    private readonly IOperationSink _log;

    public ResourceGraphClient(ArmRestClient arm, IOperationSink log)
    {
        _arm = arm;
        _log = log;
    }

    /// <summary>
    /// Runs <paramref name="query"/> over the given subscriptions or management groups (neither: every subscription the caller can read).
    /// Subscriptions go in batches of at most <see cref="MaxSubscriptionsPerQuery"/>, the documented limit; a batch the service refuses
    /// with 400 is halved and asked again, and a single subscription it still refuses is left out with a warning naming it.
    /// </summary>
    public async Task<int> QueryAsync(string query, IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups,
        Action<JsonElement> onRow, OperationProgress progress, CancellationToken cancellationToken)
    {
        int rows = 0, pages = 0;
        var batches = new Stack<IReadOnlyList<string>>(Batches(subscriptions).Reverse());
        while (batches.Count > 0)
        {
            var batch = batches.Pop();
            (JsonDocument Body, IReadOnlyDictionary<string, string> Headers) first;
            try
            {
                first = await FetchPageAsync(query, batch, managementGroups, null, cancellationToken).ConfigureAwait(false);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 400 && batch.Count > 1)
            {
                _log.WriteVerbose($"Resource Graph refused a batch of {batch.Count} subscriptions ({e.ErrorId}); asking again in two halves.");
                batches.Push(batch.Skip(batch.Count / 2).ToList());
                batches.Push(batch.Take(batch.Count / 2).ToList());
                continue;
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 400 && batch.Count == 1)
            {
                WarnOnce("refused:" + batch[0], $"Azure Resource Graph refused to query subscription {batch[0]} ({e.ErrorId}: {e.Message}); its connections are not listed. " +
                    "List it with -SubscriptionId and -NoResourceGraph.");
                continue;
            }

            var (batchRows, batchPages) = await ReadPagesAsync(query, batch, managementGroups, first, onRow, progress, cancellationToken).ConfigureAwait(false);
            rows += batchRows;
            pages += batchPages;
        }

        _log.WriteVerbose($"Resource Graph: {rows} rows in {pages} pages.");
        return rows;
    }

    /// <summary>
    /// Hands over the rows of a first page and every page after it. The next page is requested as soon as a page's $skipToken is
    /// known, so that the work on a page's rows overlaps that round trip (unless the quota is used up: then the rows are handed
    /// over first, and the query waits for the quota to reset).
    /// </summary>
    private async Task<(int Rows, int Pages)> ReadPagesAsync(string query, IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups,
        (JsonDocument Body, IReadOnlyDictionary<string, string> Headers) first, Action<JsonElement> onRow, OperationProgress progress, CancellationToken cancellationToken)
    {
        int rows = 0, pages = 0;
        Task<(JsonDocument Body, IReadOnlyDictionary<string, string> Headers)>? next = Task.FromResult(first);
        while (next != null)
        {
            var (page, headers) = await next.ConfigureAwait(false);
            using (page)
            {
                pages++;
                WarnIfPartial(headers, managementGroups);
                var skipToken = Json.String(page.RootElement, "$skipToken");
                var quotaWait = QuotaWait(headers);
                next = skipToken.Length > 0 && quotaWait == TimeSpan.Zero
                    ? FetchPageAsync(query, subscriptions, managementGroups, skipToken, cancellationToken)
                    : null;
                try
                {
                    rows += HandOver(page.RootElement, onRow);
                    int.TryParse(Json.String(page.RootElement, "totalRecords"), out var total);
                    _log.WriteProgress(new OperationProgress(progress.ActivityId, progress.Activity, $"{rows} of {total} rows",
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
                    _log.WriteVerbose($"Resource Graph quota used up; waiting {quotaWait.TotalSeconds:0.#} s for it to reset.");
                    await Task.Delay(quotaWait, cancellationToken).ConfigureAwait(false);
                    next = skipToken.Length > 0 ? FetchPageAsync(query, subscriptions, managementGroups, skipToken, cancellationToken) : null;
                }
            }
        }

        return (rows, pages);
    }

    private static IEnumerable<IReadOnlyList<string>> Batches(IReadOnlyCollection<string> subscriptions)
    {
        if (subscriptions.Count == 0)
        {
            yield return Array.Empty<string>();
            yield break;
        }

        var all = subscriptions.ToList();
        for (var start = 0; start < all.Count; start += MaxSubscriptionsPerQuery)
        {
            yield return all.GetRange(start, Math.Min(MaxSubscriptionsPerQuery, all.Count - start));
        }
    }

    /// <summary>A management group beyond the service's subscription limit is searched only in part; the answer says so in a header.</summary>
    private void WarnIfPartial(IReadOnlyDictionary<string, string> headers, IReadOnlyCollection<string> managementGroups)
    {
        if (headers.TryGetValue(SubscriptionLimitHitHeader, out var hit) && string.Equals(hit.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            WarnOnce(SubscriptionLimitHitHeader, $"Azure Resource Graph searched only part of the subscriptions under management group(s) {string.Join(", ", managementGroups)} " +
                $"({SubscriptionLimitHitHeader}), so the list is incomplete. List the subscriptions below them with -SubscriptionId instead.");
        }
    }

    private void WarnOnce(string key, string message)
    {
        lock (_warned)
        {
            if (!_warned.Add(key))
            {
                return;
            }
        }

        _log.WriteWarning(message);
    }

    private Task<(JsonDocument Body, IReadOnlyDictionary<string, string> Headers)> FetchPageAsync(string query, IReadOnlyCollection<string> subscriptions,
        IReadOnlyCollection<string> managementGroups, string? skipToken, CancellationToken cancellationToken) =>
        _arm.PostWithHeadersAsync(Path, RequestBody(query, subscriptions, managementGroups, skipToken), "/providers/Microsoft.ResourceGraph",
            cancellationToken, "x-ms-user-quota-remaining", "x-ms-user-quota-resets-after", SubscriptionLimitHitHeader);

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
