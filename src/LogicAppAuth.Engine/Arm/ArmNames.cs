using System;
using System.Linq;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// Checks names and ids from the user before they become URL paths: a '/', '?', '#' or '..' in a name would change
/// which resource, or which query, a request addresses, and ARM refuses these characters in names anyway.
/// </summary>
public static class ArmNames
{
    private static readonly char[] Refused = { '/', '\\', '?', '#', '%', '&', '<', '>', ':', '*', '"', '|' };
    private static readonly char[] RefusedInIds = { '\\', '?', '#', '%', '&', '<', '>', ':', '*', '"', '|' };

    /// <summary>Null when <paramref name="value"/> is a name ARM could hold; otherwise the InvalidArgument error that names <paramref name="parameter"/>.</summary>
    public static LogicAppAuthException? NameProblem(string value, string parameter)
    {
        var trimmed = value.Trim();
        bool bad = trimmed.IndexOfAny(Refused) >= 0 || trimmed.Contains("..") || trimmed.EndsWith(".", StringComparison.Ordinal) || trimmed.Any(char.IsControl);
        return bad
            ? new LogicAppAuthException("InvalidResourceName", FailureKind.InvalidArgument,
                $"{parameter} '{value}' is not an Azure resource name: names cannot hold / \\ ? # % & < > : * \" | or control characters, contain '..', or end with '.'. " +
                "Nothing was sent; give the name as the portal or Get-AzResource shows it.", value)
            : null;
    }

    /// <summary>Null when <paramref name="id"/> has none of the characters or '.'/'..' segments that could make its path address something else.</summary>
    public static LogicAppAuthException? IdProblem(string id, string parameter)
    {
        var trimmed = id.Trim();
        bool bad = trimmed.IndexOfAny(RefusedInIds) >= 0 || trimmed.Any(char.IsControl)
            || trimmed.Split('/').Any(segment => segment == "." || segment == ".." || segment.EndsWith(".", StringComparison.Ordinal));
        return bad
            ? new LogicAppAuthException("InvalidResourceId", FailureKind.InvalidArgument,
                $"{parameter} '{id}' is not an Azure resource id: its names cannot hold \\ ? # % & < > : * \" | or control characters, or be or end with '.'. " +
                "Nothing was sent; give the id as the portal or Get-AzResource shows it.", id)
            : null;
    }

    /// <summary>
    /// The path and query of a URI the service emitted (a connection's testLinks or testRequests), only when its
    /// canonical path lies under <paramref name="resourceId"/>. Each segment is decoded before it is compared, so that
    /// '%2e%2e', '..', '\' or an encoded '/' cannot climb out after System.Uri normalizes the path.
    /// </summary>
    public static string? PathUnder(string uri, string resourceId)
    {
        string pathAndQuery;
        if (uri.StartsWith("/", StringComparison.Ordinal) && !uri.StartsWith("//", StringComparison.Ordinal))
        {
            pathAndQuery = uri;
        }
        else if (Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp))
        {
            // The text as given, not Uri's normalized form: that one has already removed the dot segments this check looks for.
            var afterAuthority = uri.IndexOf('/', uri.IndexOf("//", StringComparison.Ordinal) + 2);
            pathAndQuery = afterAuthority < 0 ? "/" : uri.Substring(afterAuthority);
        }
        else
        {
            return null;
        }

        var query = pathAndQuery.IndexOfAny(new[] { '?', '#' });
        var path = query < 0 ? pathAndQuery : pathAndQuery.Substring(0, query);
        var segments = path.Split('/').Skip(1).Select(Uri.UnescapeDataString).ToList();
        var parent = resourceId.Trim('/').Split('/');
        bool canonical = path.IndexOf('\\') < 0 && segments.All(segment => segment.Length > 0 && segment != "." && segment != ".."
            && segment.IndexOfAny(new[] { '/', '\\' }) < 0 && !segment.Any(char.IsControl));
        bool under = segments.Count > parent.Length && parent.Select((segment, i) => string.Equals(segment, segments[i], StringComparison.OrdinalIgnoreCase)).All(same => same);
        return canonical && under && (query < 0 || pathAndQuery[query] == '?') ? pathAndQuery : null;
    }
}
