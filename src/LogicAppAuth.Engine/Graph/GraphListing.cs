using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Graph;

/// <summary>
/// Reads a whole Microsoft Graph collection page by page: asks for <c>$top=999</c> (Graph's largest page) and only the
/// <c>$select</c>ed properties, then follows each <c>@odata.nextLink</c> as given until there is none. Throttling (429 with
/// Retry-After) is answered by the pipeline's retry policy, so a throttled page is simply asked for again.
/// </summary>
internal sealed class GraphListing
{
    public const int MaxPageSize = 999;
    private readonly GraphClient _client;
    private readonly Uri _graphUrl;

    public GraphListing(GraphClient client, Uri graphUrl)
    {
        _client = client;
        _graphUrl = graphUrl;
    }

    /// <summary>Pages read so far, by every listing through this instance.</summary>
    public int Pages => _pages;

    private int _pages;

    /// <summary>The first page's path: <c>{collection}?$select=...&amp;$top=999[&amp;$filter=...]</c>.</summary>
    public static string FirstPage(string collection, IEnumerable<string> select, string? filter = null)
    {
        var query = new List<string> { "$select=" + string.Join(",", select), "$top=" + MaxPageSize };
        if (!string.IsNullOrEmpty(filter))
        {
            query.Add("$filter=" + Uri.EscapeDataString(filter));
        }

        return collection + "?" + string.Join("&", query);
    }

    /// <summary>
    /// Hands every item of every page to <paramref name="onItem"/> as its page arrives; returns the number of items.
    /// A page Graph refuses ends the listing with a <see cref="LogicAppAuthException"/> that names the collection.
    /// </summary>
    public async Task<int> ListAsync(string firstPage, Action<JsonElement> onItem, CancellationToken cancellationToken)
    {
        var collection = firstPage.Split('?')[0];
        int count = 0;
        string? next = firstPage;
        while (next != null)
        {
            var page = await _client.GetAsync(next, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _pages);
            if (!page.Succeeded || !(page.Body is JsonElement body))
            {
                throw Refused(collection, page);
            }

            if (Json.Path(body, "value") is JsonElement items && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    onItem(item);
                    count++;
                }
            }

            var link = Json.String(body, "@odata.nextLink");
            next = link.Length == 0 ? null : RelativeNextLink(link, collection);
        }

        return count;
    }

    /// <summary>
    /// A next link is followed only to the session's own Graph host and v1.0 root, so the bearer token never leaves it;
    /// it is turned back into a path relative to v1.0 without touching its query (the skip token is opaque).
    /// </summary>
    internal string RelativeNextLink(string link, string collection)
    {
        var root = _graphUrl.AbsoluteUri.TrimEnd('/') + "/v1.0/";
        if (!Uri.TryCreate(link, UriKind.Absolute, out var absolute)
            || absolute.Scheme != Uri.UriSchemeHttps
            || !string.Equals(absolute.Authority, _graphUrl.Authority, StringComparison.OrdinalIgnoreCase)
            || !link.StartsWith(root, StringComparison.OrdinalIgnoreCase))
        {
            var shown = Uri.TryCreate(link, UriKind.Absolute, out var parsed) ? parsed.GetLeftPart(UriPartial.Path) : "(not a URL)";
            throw new LogicAppAuthException("UntrustedNextLink", FailureKind.SecurityError,
                $"Microsoft Graph returned a next link outside {root} ({shown}) while listing {collection}; it was not followed.", collection);
        }

        return link.Substring(root.Length);
    }

    private static LogicAppAuthException Refused(string collection, GraphResponse page)
    {
        if (page.Status == 0)
        {
            return new LogicAppAuthException(page.ErrorCode.Length > 0 ? page.ErrorCode : "GraphRequestFailed", FailureKind.ConnectionError,
                $"Listing Microsoft Graph {collection} failed: {page.ErrorMessage}", collection);
        }

        var advice = page.Status == 403
            ? $" Reading {collection} needs the Graph permission Application.Read.All (or Directory.Read.All) for the signed-in identity."
            : page.Status == 401 ? " Sign in again with Connect-LogicAppAuth (or pass a fresh -MicrosoftGraphAccessToken)." : "";
        return new LogicAppAuthException(page.ErrorCode.Length > 0 ? page.ErrorCode : "GraphRequestFailed", ArmErrors.KindFor(page.Status),
            $"Microsoft Graph answered {page.Status} {page.ErrorCode} while listing {collection}: {page.ErrorMessage}{advice}".Replace("  ", " ").Trim(), collection)
        {
            HttpStatus = page.Status,
        };
    }
}
