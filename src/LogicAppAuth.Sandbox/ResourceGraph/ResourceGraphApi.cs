using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>
/// Azure Resource Graph: <c>POST /providers/Microsoft.ResourceGraph/resources</c>. Runs a KQL subset
/// (<see cref="KqlParser"/>) over the document store, within the requested subscriptions or management
/// groups (default: every subscription of the token's tenant), keeping only rows the caller may read.
/// Pages with <c>$skipToken</c> and throttles per principal with ARG's quota headers.
/// </summary>
public sealed class ResourceGraphApi(SandboxState state, AccessCheck access)
{
    public const string Path = "/providers/Microsoft.ResourceGraph/resources";
    public const string ReadAction = "Microsoft.ResourceGraph/resources/read";
    public const string QuotaRemainingHeader = "x-ms-user-quota-remaining";
    public const string QuotaResetsAfterHeader = "x-ms-user-quota-resets-after";
    public const string SubscriptionLimitHitHeader = "x-ms-tenant-subscription-limit-hit";
    public const int DefaultTop = 100;
    public const int MaxTop = 1000;

    public const string InvalidQueryMessage =
        "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the query before you try again.";

    public static readonly IReadOnlyList<string> ApiVersions = ["2021-03-01", "2022-10-01", "2024-04-01"];

    private readonly ResourceGraphQuota _quota = new(state.Options.ResourceGraphQuota);

    public static void Map(WebApplication app) =>
        app.MapPost(Path, (HttpContext context, ResourceGraphApi api) => api.QueryAsync(context));

    private async Task<IResult> QueryAsync(HttpContext context)
    {
        var apiVersion = context.Request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            return ArmErrors.MissingApiVersion();
        }

        if (!ApiVersions.Contains(apiVersion))
        {
            return ArmErrors.Error(400, "InvalidApiVersionParameter",
                $"The api-version '{apiVersion}' is invalid. The supported versions are '{string.Join(",", ApiVersions.Reverse())}'.");
        }

        var result = await access.ArmAsync(context);
        if (result.Caller is not { } caller)
        {
            return result.Failure!;
        }

        var (allowed, remaining, resetsAfter) = _quota.TryConsume(caller.ObjectId);
        context.Response.Headers[QuotaRemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[QuotaResetsAfterHeader] = ResourceGraphQuota.Format(resetsAfter);
        if (!allowed)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(resetsAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return ArmErrors.Error(429, "RateLimiting",
                $"Too many requests. Please retry after {ResourceGraphQuota.Format(resetsAfter)}. The quota of {_quota.Limit} queries per {ResourceGraphQuota.Window.TotalSeconds:0} seconds was exceeded.");
        }

        if (state.Options.ResourceGraphDisabled)
        {
            return ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, ReadAction, Path);
        }

        QueryRequest request;
        try
        {
            request = await QueryRequest.ReadAsync(context.Request);
        }
        catch (BadRequestException error)
        {
            return error.Result;
        }

        if (request.Subscriptions?.Count > state.Options.ResourceGraphMaxSubscriptions)
        {
            // Assumed wording: the documented limit is 1,000 subscriptions a request; the exact error is not published.
            return BadRequest("BadRequest",
                $"The request names {request.Subscriptions.Count} subscriptions; at most {state.Options.ResourceGraphMaxSubscriptions} may be queried at once. Batch the subscriptions.");
        }

        var subscriptions = ResolveScopes(caller, request, out var scopeFailure);
        if (scopeFailure is not null)
        {
            return scopeFailure;
        }

        if (request.ManagementGroups is { Count: > 0 } && subscriptions.Count > state.Options.ResourceGraphTenantSubscriptionLimit)
        {
            // A management-group scope beyond the service's subscription limit is searched in part, and says so.
            subscriptions = subscriptions.Take(state.Options.ResourceGraphTenantSubscriptionLimit).ToList();
            context.Response.Headers[SubscriptionLimitHitHeader] = "true";
        }

        KqlQuery query;
        try
        {
            query = KqlParser.Parse(request.Query, ResourceGraphTables.Schemas);
        }
        catch (KqlException error)
        {
            return InvalidQuery(error.Message);
        }

        var fingerprint = Fingerprint(request, subscriptions);
        var offset = request.Skip;
        if (request.SkipToken is { } token)
        {
            if (!TryReadSkipToken(token, fingerprint, out offset))
            {
                return BadRequest("InvalidSkipToken", "The $skipToken is invalid or does not belong to this query and scope.");
            }
        }

        var rows = Evaluate(caller, query, subscriptions, fingerprint, continuing: request.SkipToken is not null);
        var pageSize = Math.Min(request.Top ?? DefaultTop, state.Options.PageSize ?? MaxTop);
        var page = rows.Skip(offset).Take(pageSize).ToList();
        var next = offset + page.Count;

        var skipToken = next < rows.Count && page.Count > 0 ? SkipToken(next, fingerprint) : null;
        return new QueryResponse(rows.Count, page, skipToken, request.ResultFormat == "table");
    }

    /// <summary>The QueryResponse body, streamed: rows are written straight from the stored documents.</summary>
    private sealed class QueryResponse(int totalRecords, List<KqlRow> page, string? skipToken, bool table) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json; charset=utf-8";
            var pipe = context.Response.BodyWriter;
            using (var writer = new Utf8JsonWriter(pipe))
            {
                writer.WriteStartObject();
                writer.WriteNumber("totalRecords", totalRecords);
                writer.WriteNumber("count", page.Count);
                writer.WritePropertyName("data");
                if (table)
                {
                    Table(page).WriteTo(writer);
                }
                else
                {
                    writer.WriteStartArray();
                    for (var i = 0; i < page.Count; i++)
                    {
                        page[i].WriteTo(writer);
                        if (i % 100 == 99)
                        {
                            writer.Flush();
                            await pipe.FlushAsync(context.RequestAborted);
                        }
                    }

                    writer.WriteEndArray();
                }

                writer.WriteStartArray("facets");
                writer.WriteEndArray();
                writer.WriteString("resultTruncated", "false");
                if (skipToken is not null)
                {
                    writer.WriteString("$skipToken", skipToken);
                }

                writer.WriteEndObject();
                writer.Flush();
            }

            await pipe.FlushAsync(context.RequestAborted);
        }
    }

    private static readonly TimeSpan ResultLifetime = TimeSpan.FromMinutes(1);
    private const int MaxCachedResults = 32;
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, List<KqlRow> Rows)> _results = new(StringComparer.Ordinal);

    /// <summary>Runs the query; follow-up pages ($skipToken) of a query run in the last minute reuse its result
    /// (ARG also pages over one result), so paging a large tenant costs one evaluation.</summary>
    private List<KqlRow> Evaluate(Caller caller, KqlQuery query, List<ScenarioSubscription> subscriptions, string fingerprint, bool continuing)
    {
        var key = caller.ObjectId + "|" + fingerprint;
        var now = DateTimeOffset.UtcNow;
        if (continuing && _results.TryGetValue(key, out var cached) && now - cached.At < ResultLifetime)
        {
            return cached.Rows;
        }

        var rows = query.Run(ResourceGraphTables.Rows(query.Table, state.Store, state.Scenario, subscriptions, ReadCheck(caller)));
        foreach (var stale in _results.Where(p => now - p.Value.At >= ResultLifetime || _results.Count > MaxCachedResults).Select(p => p.Key).ToList())
        {
            _results.TryRemove(stale, out _);
        }

        _results[key] = (now, rows);
        return rows;
    }

    /// <summary>The subscriptions to search: the named ones, those under the named management groups, or
    /// (neither given) all of the caller's tenant; always only the caller's tenant.</summary>
    private List<ScenarioSubscription> ResolveScopes(Caller caller, QueryRequest request, out IResult? failure)
    {
        failure = null;
        var scenario = state.Scenario;
        var tenantSubscriptions = scenario.Subscriptions.Where(s => s.TenantId.Equals(caller.TenantId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (request.Subscriptions is null or [] && request.ManagementGroups is null or [])
        {
            return tenantSubscriptions;
        }

        var wanted = new HashSet<string>(request.Subscriptions ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (var name in request.ManagementGroups ?? [])
        {
            var group = ManagementGroupTree.Find(scenario, name);
            if (group is null || !ManagementGroupTree.TenantOf(scenario, group).Equals(caller.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                failure = ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, "Microsoft.Management/managementGroups/read",
                    "/providers/Microsoft.Management/managementGroups/" + name);
                return [];
            }

            wanted.UnionWith(ManagementGroupTree.SubscriptionsUnder(group));
        }

        return tenantSubscriptions.Where(s => wanted.Contains(s.SubscriptionId)).ToList();
    }

    private static readonly ConcurrentDictionary<string, Regex> ActionPatterns = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the caller may read a document: a role at or above it allows {type}/read
    /// (ARG silently leaves out what the caller cannot read).</summary>
    private Func<JsonObject, bool> ReadCheck(Caller caller)
    {
        var assignments = new List<(string Scope, RoleDefinition Role)>();
        foreach (var document in state.Store.OfType(Rbac.RoleAssignmentType))
        {
            var properties = document["properties"];
            if (string.Equals((string?)properties?["principalId"], caller.ObjectId, StringComparison.OrdinalIgnoreCase)
                && BuiltInRoles.FromDefinitionId((string?)properties?["roleDefinitionId"] ?? "") is { } role
                && (string?)properties?["scope"] is { } scope)
            {
                assignments.Add((scope, role));
            }
        }

        var allows = new Dictionary<(string, string), bool>();
        bool Allows(RoleDefinition role, string type)
        {
            if (!allows.TryGetValue((role.Id, type), out var allowed))
            {
                var action = type + "/read";
                allowed = role.Actions.Any(p => Matches(p, action)) && !role.NotActions.Any(p => Matches(p, action));
                allows[(role.Id, type)] = allowed;
            }

            return allowed;
        }

        return document =>
        {
            var id = (string?)document["id"] ?? "";
            var type = (string?)document["type"] ?? "";
            foreach (var (scope, role) in assignments)
            {
                if (ArmPath.IsAtOrAbove(scope, id) && Allows(role, type))
                {
                    return true;
                }
            }

            return false;
        };
    }

    private static bool Matches(string pattern, string action) =>
        ActionPatterns.GetOrAdd(pattern, p => new Regex("^" + Regex.Escape(p).Replace("\\*", ".*") + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).IsMatch(action);

    private static JsonObject Table(IReadOnlyList<KqlRow> rows)
    {
        var objects = rows.Select(r => r.ToJson()).ToList();
        var names = objects.SelectMany(o => o.Select(p => p.Key)).Distinct().ToList();
        var columns = new JsonArray(names.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n,
            ["type"] = objects.Select(o => o[n]).FirstOrDefault(v => v is not null) switch
            {
                JsonObject or JsonArray => "object",
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => "integer",
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => "string",
            },
        }).ToArray());
        var tableRows = new JsonArray(objects.Select(o => (JsonNode)new JsonArray(names.Select(n => o[n]?.DeepClone()).ToArray())).ToArray());
        return new JsonObject { ["columns"] = columns, ["rows"] = tableRows };
    }

    private static string Fingerprint(QueryRequest request, IEnumerable<ScenarioSubscription> subscriptions)
    {
        var text = request.Query + "\n" + string.Join(",", subscriptions.Select(s => s.SubscriptionId.ToLowerInvariant()).Order(StringComparer.Ordinal))
            + "\n" + request.Top + "\n" + request.ResultFormat;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8)).ToLowerInvariant();
    }

    private static string SkipToken(int offset, string fingerprint) =>
        Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = 1, o = offset, q = fingerprint })));

    private static bool TryReadSkipToken(string token, string fingerprint, out int offset)
    {
        offset = 0;
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var json = JsonNode.Parse(Convert.FromBase64String(padded));
            offset = (int?)json?["o"] ?? -1;
            return (string?)json?["q"] == fingerprint && offset >= 0;
        }
        catch (Exception error) when (error is FormatException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>ARG's answer to a query it cannot run.</summary>
    public static IResult InvalidQuery(string what) => BadRequest("InvalidQuery", what, InvalidQueryMessage);

    public static IResult BadRequest(string detailCode, string detailMessage, string? message = null) =>
        Results.Json(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "BadRequest",
                ["message"] = message ?? detailMessage,
                ["details"] = new JsonArray(new JsonObject { ["code"] = detailCode, ["message"] = detailMessage }),
            },
        }, statusCode: 400);

    private sealed class BadRequestException(IResult result) : Exception
    {
        public IResult Result { get; } = result;
    }

    /// <summary>The QueryRequest body: subscriptions, managementGroups, query, options.</summary>
    private sealed record QueryRequest(
        string Query,
        List<string>? Subscriptions,
        List<string>? ManagementGroups,
        int? Top,
        int Skip,
        string? SkipToken,
        string ResultFormat)
    {
        public static async Task<QueryRequest> ReadAsync(HttpRequest http)
        {
            JsonObject body;
            try
            {
                body = await JsonNode.ParseAsync(http.Body) as JsonObject ?? throw new JsonException();
            }
            catch (JsonException)
            {
                throw Bad("InvalidRequestContent", "The request content was invalid and could not be deserialized.");
            }

            var query = Get(body, "query") is JsonValue q && q.GetValueKind() == JsonValueKind.String ? q.GetValue<string>() : null;
            if (string.IsNullOrWhiteSpace(query))
            {
                throw Bad("InvalidQuery", "The request must contain a query.");
            }

            var options = Get(body, "options") as JsonObject;
            int? top = null;
            if (options is not null && Get(options, "$top") is { } topNode)
            {
                top = Integer(topNode);
                if (top is null or < 1 or > MaxTop)
                {
                    throw Bad("InvalidTop", $"The $top option must be a whole number between 1 and {MaxTop}.");
                }
            }

            var skip = 0;
            if (options is not null && Get(options, "$skip") is { } skipNode)
            {
                skip = Integer(skipNode) is { } s and >= 0 ? s : throw Bad("InvalidSkip", "The $skip option must be a whole number of 0 or more.");
            }

            var skipToken = options is null ? null : (string?)Get(options, "$skipToken");
            var format = options is null ? null : (string?)Get(options, "resultFormat");
            format = (format ?? "objectArray") switch
            {
                var f when f.Equals("objectArray", StringComparison.OrdinalIgnoreCase) => "objectArray",
                var f when f.Equals("table", StringComparison.OrdinalIgnoreCase) => "table",
                var f => throw Bad("InvalidResultFormat", $"The resultFormat '{f}' is not valid; use 'objectArray' or 'table'."),
            };

            return new QueryRequest(query, Strings(body, "subscriptions"), Strings(body, "managementGroups"), top, skip,
                string.IsNullOrEmpty(skipToken) ? null : skipToken, format);
        }

        private static BadRequestException Bad(string code, string message) => new(BadRequest(code, message));

        /// <summary>Property names are matched case-insensitively, like ARM's deserialisation.</summary>
        private static JsonNode? Get(JsonObject obj, string name) =>
            obj.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

        private static int? Integer(JsonNode node) =>
            node is JsonValue v && v.TryGetValue<int>(out var n) ? n
            : node is JsonValue s && s.TryGetValue<string>(out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : null;

        private static List<string>? Strings(JsonObject body, string name)
        {
            var node = Get(body, name);
            if (node is null)
            {
                return null;
            }

            if (node is not JsonArray array || array.Any(i => i is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            {
                throw Bad("InvalidRequestContent", $"'{name}' must be an array of strings.");
            }

            return array.Select(i => i!.GetValue<string>()).ToList();
        }
    }
}
