namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Reads an ARM request path: which subscription and resource group it is under, whether it names
/// one resource or a collection, and its resource type (for RBAC actions and error messages).
/// </summary>
public sealed class ArmPath
{
    private ArmPath(string path, string[] segments)
    {
        Path = path;
        Segments = segments;
    }

    /// <summary>The path as requested, without a trailing slash.</summary>
    public string Path { get; }

    public string[] Segments { get; }

    public string? SubscriptionId => Segments.Length >= 2 && Is(0, "subscriptions") ? Segments[1] : null;

    public string? ResourceGroupName => Segments.Length >= 4 && Is(2, "resourceGroups") ? Segments[3] : null;

    public string? SubscriptionScope => SubscriptionId is null ? null : "/subscriptions/" + SubscriptionId;

    public string? ResourceGroupScope =>
        ResourceGroupName is null ? null : $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroupName}";

    private int LastProvidersIndex => Array.FindLastIndex(Segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// True when the path names a collection: an odd number of segments after "providers/{namespace}",
    /// or "/subscriptions", "/subscriptions/{s}/resourceGroups".
    /// </summary>
    public bool IsCollection
    {
        get
        {
            var providers = LastProvidersIndex;
            var afterNamespace = providers < 0 ? Segments.Length : Segments.Length - providers - 2;
            return afterNamespace % 2 == 1;
        }
    }

    /// <summary>Resource type of what the path names, e.g. Microsoft.Web/connections or
    /// Microsoft.Resources/subscriptions/resourceGroups; the casing is the request's.</summary>
    public string ResourceType
    {
        get
        {
            var providers = LastProvidersIndex;
            if (providers < 0 || providers + 1 >= Segments.Length)
            {
                var parts = new List<string> { "Microsoft.Resources" };
                for (var i = 0; i < Math.Min(Segments.Length, 4); i += 2)
                {
                    parts.Add(Segments[i]);
                }

                return string.Join('/', parts);
            }

            var types = new List<string> { Segments[providers + 1] };
            for (var i = providers + 2; i < Segments.Length; i += 2)
            {
                types.Add(Segments[i]);
            }

            return string.Join('/', types);
        }
    }

    /// <summary>The id of the resource this path's document belongs to (for an instance, the path itself).</summary>
    public string? ParentResourceId
    {
        get
        {
            var providers = LastProvidersIndex;
            var depth = providers < 0 ? 0 : Segments.Length - providers - 2;
            return depth > 2 ? "/" + string.Join('/', Segments[..^(IsCollection ? 1 : 2)]) : null;
        }
    }

    public static ArmPath Parse(string path)
    {
        var trimmed = Normalize(path);
        return new ArmPath(trimmed, trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    public static string Normalize(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }

    public static string Parent(string id)
    {
        var index = id.LastIndexOf('/');
        return index <= 0 ? "" : id[..index];
    }

    /// <summary>True when <paramref name="scope"/> is <paramref name="path"/> or one of its ancestors, by whole segments.</summary>
    public static bool IsAtOrAbove(string scope, string path)
    {
        var s = Normalize(scope);
        var p = Normalize(path);
        if (s == "/")
        {
            return true;
        }

        return p.Equals(s, StringComparison.OrdinalIgnoreCase)
            || (p.StartsWith(s, StringComparison.OrdinalIgnoreCase) && p[s.Length] == '/');
    }

    private bool Is(int index, string value) => Segments[index].Equals(value, StringComparison.OrdinalIgnoreCase);
}
