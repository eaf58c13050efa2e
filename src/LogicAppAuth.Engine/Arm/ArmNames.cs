using System;
using System.Linq;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Arm
{
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
    }
}
