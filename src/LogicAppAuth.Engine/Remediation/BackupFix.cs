using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// The header of a backup manifest: what the fix was about. Every entry a restore acts on must belong to it: the
/// connections the fix switched, the workflows and Standard apps whose identity it used, and the resources it
/// granted on.
/// </summary>
internal sealed class BackupFix
{
    private readonly List<string> _connections = new List<string>();
    private readonly List<string> _holders = new List<string>();
    private readonly List<string> _targets = new List<string>();

    public IReadOnlyList<string> Connections => _connections;
    public IReadOnlyList<string> Holders => _holders;
    public IReadOnlyList<string> Targets => _targets;

    public void Add(string connectionId = "", string holderId = "", string targetId = "")
    {
        AddTo(_connections, connectionId);
        AddTo(_holders, holderId);
        AddTo(_targets, targetId);
    }

    public void AddAll(BackupFix other)
    {
        other._connections.ForEach(c => AddTo(_connections, c));
        other._holders.ForEach(h => AddTo(_holders, h));
        other._targets.ForEach(t => AddTo(_targets, t));
    }

    public static bool Has(IEnumerable<string> ids, string id) => ids.Any(i => SameId(i, id));

    public static bool SameId(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    public JsonObject ToJson() => new JsonObject
    {
        ["connections"] = Array(_connections),
        ["holders"] = Array(_holders),
        ["targets"] = Array(_targets),
    };

    /// <summary>The header as written; ids are checked by <see cref="BackupManifest"/>.</summary>
    public static BackupFix FromJson(JsonNode? header)
    {
        var fix = new BackupFix();
        foreach (var (name, list) in new[] { ("connections", fix._connections), ("holders", fix._holders), ("targets", fix._targets) })
        {
            foreach (var item in (JsonEdit.Get(header, name) as JsonArray) ?? new JsonArray())
            {
                // Anything but a string stays in the list as its JSON text, which no id check accepts.
                AddTo(list, item is JsonValue value && value.TryGetValue<string>(out var text) ? text : item?.ToJsonString() ?? "null");
            }
        }

        return fix;
    }

    private static JsonArray Array(IEnumerable<string> ids) => new JsonArray(ids.Select(i => (JsonNode?)i).ToArray());

    private static void AddTo(List<string> list, string id)
    {
        if (id.Length > 0 && !Has(list, id))
        {
            list.Add(id);
        }
    }
}
