using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Remediation
{
    /// <summary>
    /// The header of a backup manifest: what the fix was about. Every entry a restore acts on must belong to it: the
    /// connections the fix switched, the workflows and Standard apps whose identity it used, and the resources it
    /// granted on.
    /// </summary>
    internal sealed class BackupFix
    {
        private readonly List<string> connections = new List<string>();
        private readonly List<string> holders = new List<string>();
        private readonly List<string> targets = new List<string>();

        public IReadOnlyList<string> Connections => connections;
        public IReadOnlyList<string> Holders => holders;
        public IReadOnlyList<string> Targets => targets;

        public void Add(string connectionId = "", string holderId = "", string targetId = "")
        {
            AddTo(connections, connectionId);
            AddTo(holders, holderId);
            AddTo(targets, targetId);
        }

        public void AddAll(BackupFix other)
        {
            other.connections.ForEach(c => AddTo(connections, c));
            other.holders.ForEach(h => AddTo(holders, h));
            other.targets.ForEach(t => AddTo(targets, t));
        }

        public static bool Has(IEnumerable<string> ids, string id) => ids.Any(i => SameId(i, id));

        public static bool SameId(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

        public JsonObject ToJson() => new JsonObject
        {
            ["connections"] = Array(connections),
            ["holders"] = Array(holders),
            ["targets"] = Array(targets),
        };

        /// <summary>The header as written; ids are checked by <see cref="BackupManifest"/>.</summary>
        public static BackupFix FromJson(JsonNode? header)
        {
            var fix = new BackupFix();
            foreach (var (name, list) in new[] { ("connections", fix.connections), ("holders", fix.holders), ("targets", fix.targets) })
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
}
