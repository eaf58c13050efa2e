using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Remediation
{
    /// <summary>
    /// The backup folder of one run: the full JSON of each resource before its first write, and manifest.json, which
    /// lists those files and what the run created (role assignments, access policies) in the order it happened, with
    /// each resource's state after the fix so that a restore can tell whether someone changed it since. The manifest is
    /// rewritten after every step, so it is complete even when the run stops half-way.
    /// </summary>
    public sealed class BackupStore
    {
        public const string ManifestName = "manifest.json";
        public const string Schema = "LogicAppAuth.Backup/1";

        private readonly object gate = new object();
        private readonly JsonArray entries = new JsonArray();
        private readonly Dictionary<string, JsonObject> resources = new Dictionary<string, JsonObject>(StringComparer.OrdinalIgnoreCase);
        private readonly string createdTime = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);

        public BackupStore(string folder)
        {
            Folder = Path.GetFullPath(folder);
        }

        public string Folder { get; }

        /// <summary>True once anything was written to the folder.</summary>
        public bool Used { get; private set; }

        public bool HasBackup(string resourceId)
        {
            lock (gate)
            {
                return resources.ContainsKey(resourceId);
            }
        }

        /// <summary>Saves the resource's full JSON, once per resource; later calls for the same resource do nothing.</summary>
        public void SaveResource(string resourceId, string resourceType, string apiVersion, JsonObject document) =>
            Save("Resource", resourceId, resourceType, apiVersion, JsonEdit.Serialize(document, indented: true), JsonEdit.Fingerprint(document),
                Sanitize(resourceType.Substring(resourceType.LastIndexOf('/') + 1)));

        /// <summary>Saves a file's exact text (a Standard app's connections.json), once per file; <paramref name="fileId"/> is its address.</summary>
        public void SaveFile(string fileId, string fileName, string apiVersion, string text, string fingerprint) =>
            Save("File", fileId, fileName, apiVersion, text, fingerprint, Sanitize(Path.GetFileNameWithoutExtension(fileName)));

        private void Save(string kind, string resourceId, string resourceType, string apiVersion, string text, string fingerprint, string label)
        {
            lock (gate)
            {
                if (resources.ContainsKey(resourceId))
                {
                    return;
                }

                EnsureFolder();
                var owner = Last(kind == "File" ? AppConnectionsFile.SiteIdOf(resourceId) : resourceId);
                var file = $"{resources.Count + 1:00}-{label}-{Sanitize(owner)}.json";
                File.WriteAllText(Path.Combine(Folder, file), text, new UTF8Encoding(false));
                var entry = new JsonObject
                {
                    ["kind"] = kind,
                    ["resourceId"] = resourceId,
                    ["resourceType"] = resourceType,
                    ["apiVersion"] = apiVersion,
                    ["file"] = file,
                    ["fingerprintBefore"] = fingerprint,
                    ["fingerprintAfter"] = fingerprint,
                    ["changes"] = new JsonArray(),
                };
                resources[resourceId] = entry;
                entries.Add(entry);
                WriteManifest();
            }
        }

        /// <summary>Records a write to a backed-up resource or file: what changed, and its fingerprint afterwards.</summary>
        public void RecordWrite(string resourceId, string description, string fingerprintAfter)
        {
            lock (gate)
            {
                if (resources.TryGetValue(resourceId, out var entry))
                {
                    entry["fingerprintAfter"] = fingerprintAfter;
                    ((JsonArray)entry["changes"]!).Add(description);
                    WriteManifest();
                }
            }
        }

        /// <summary>Records something the run created and a restore deletes (a role assignment, an access policy).</summary>
        public void RecordCreated(string kind, string resourceId, string apiVersion, string description, JsonObject? details = null)
        {
            lock (gate)
            {
                EnsureFolder();
                var entry = new JsonObject
                {
                    ["kind"] = kind,
                    ["resourceId"] = resourceId,
                    ["apiVersion"] = apiVersion,
                    ["description"] = description,
                };
                if (details != null)
                {
                    foreach (var property in details.ToList())
                    {
                        details.Remove(property.Key);
                        entry[property.Key] = property.Value;
                    }
                }

                entries.Add(entry);
                WriteManifest();
            }
        }

        private void EnsureFolder()
        {
            if (Used)
            {
                return;
            }

            if (File.Exists(Path.Combine(Folder, ManifestName)))
            {
                throw new LogicAppAuthException("BackupPathInUse", FailureKind.InvalidArgument,
                    $"The backup folder '{Folder}' already holds the backups of another run (manifest.json), which must not be overwritten; nothing was changed. " +
                    "Give a new folder with -BackupPath, or leave it out for a new timestamped one.", Folder);
            }

            try
            {
                Directory.CreateDirectory(Folder);
                Used = true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new LogicAppAuthException("BackupFailed", FailureKind.InvalidArgument,
                    $"The backup folder '{Folder}' could not be created ({e.Message}); nothing was changed. Give a writable folder with -BackupPath.", Folder, e);
            }
        }

        private void WriteManifest()
        {
            var manifest = new JsonObject
            {
                ["schema"] = Schema,
                ["createdTime"] = createdTime,
                ["entries"] = entries.DeepClone(),
            };
            var path = Path.Combine(Folder, ManifestName);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonEdit.Serialize(manifest, indented: true), new UTF8Encoding(false));
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            File.Move(temporary, path);
        }

        private static string Last(string resourceId) => resourceId.TrimEnd('/').Substring(resourceId.TrimEnd('/').LastIndexOf('/') + 1);

        private static string Sanitize(string text)
        {
            var builder = new StringBuilder();
            foreach (var c in text)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
            }

            return builder.ToString();
        }
    }
}
