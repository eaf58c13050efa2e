using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace LogicAppAuth.Commands.Infrastructure;

internal static class Wildcards
{
    /// <summary>True when no patterns were given, or when one of them matches (case-insensitive, PowerShell wildcards).</summary>
    public static bool MatchesAny(IReadOnlyCollection<string>? patterns, string value) =>
        patterns == null || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
}
