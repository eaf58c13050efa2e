using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>Splits lists into pages with an absolute next link carrying <c>$skiptoken</c>, as ARM does.</summary>
public static class Paging
{
    public const string SkipToken = "$skiptoken";

    /// <summary>The items of the requested page and, unless it is the last one, the link to the next page.</summary>
    public static (IReadOnlyList<T> Items, string? NextLink) Page<T>(HttpContext context, IReadOnlyList<T> all, int pageSize)
    {
        var query = context.Request.Query;
        var offset = int.TryParse(query[SkipToken], NumberStyles.Integer, CultureInfo.InvariantCulture, out var skip) ? Math.Max(0, skip) : 0;
        if (int.TryParse(query["$top"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var top) && top > 0)
        {
            pageSize = Math.Min(pageSize, top);
        }

        var items = all.Skip(offset).Take(pageSize).ToList();
        var next = offset + items.Count;
        if (next >= all.Count)
        {
            return (items, null);
        }

        var parameters = query
            .Where(p => !p.Key.Equals(SkipToken, StringComparison.OrdinalIgnoreCase))
            .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()))
            .Append(KeyValuePair.Create(SkipToken, (string?)next.ToString(CultureInfo.InvariantCulture)));
        var link = QueryHelpers.AddQueryString($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}", parameters);
        return (items, link);
    }

    /// <summary>An ARM list body: <c>{ "value": [...], "nextLink": "..." }</c>.</summary>
    public static JsonObject ArmList(HttpContext context, IReadOnlyList<JsonObject> all, int pageSize)
    {
        var (items, nextLink) = Page(context, all, pageSize);
        var body = new JsonObject { ["value"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()) };
        if (nextLink is not null)
        {
            body["nextLink"] = nextLink;
        }

        return body;
    }
}
