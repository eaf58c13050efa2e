using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// The backup folder of one run: the full JSON of each resource before its first write, and manifest.json, which
/// lists those files (with the SHA-256 digest of each) and what the run created (role assignments, access policies)
/// in the order it happened, with each resource's state after the fix so that a restore can tell whether someone
/// changed it since. Its header names what the fix was about (the connections, the logic apps holding the identity,
/// the target resources), which a restore checks every entry against. The manifest is rewritten after every step,
/// so it is complete even when the run stops half-way.
/// </summary>
public sealed class BackupStore
{
    public const string ManifestName = "manifest.json";
    public const string Schema = "LogicAppAuth.Backup/2";

    private readonly object _gate = new object();
    private readonly JsonArray _entries = new JsonArray();
    private readonly Dictionary<string, JsonObject> _resources = new Dictionary<string, JsonObject>(StringComparer.OrdinalIgnoreCase);
    private readonly string _createdTime = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);
    private readonly BackupFix _fix = new BackupFix();

    public BackupStore(string folder)
    {
        Folder = Path.GetFullPath(folder);
    }

    public string Folder { get; }

    /// <summary>Where backup folders go when none is named: under the user's own data folder.</summary>
    public static string DefaultRoot() => PrivateStorage.DefaultBackupRoot();

    /// <summary>True once anything was written to the folder.</summary>
    public bool Used { get; private set; }

    /// <summary>What the fix is about, for the manifest's header: a restore refuses entries that do not belong to it.</summary>
    public void NoteFix(string connectionId = "", string holderId = "", string targetId = "")
    {
        lock (_gate)
        {
            _fix.Add(connectionId, holderId, targetId);
        }
    }

    internal void NoteFix(BackupFix other)
    {
        lock (_gate)
        {
            _fix.AddAll(other);
        }
    }

    public bool HasBackup(string resourceId)
    {
        lock (_gate)
        {
            return _resources.ContainsKey(resourceId);
        }
    }

    /// <summary>Saves the resource's full JSON, once per resource; later calls for the same resource do nothing.</summary>
    public void SaveResource(string resourceId, string resourceType, JsonObject document) =>
        Save("Resource", resourceId, resourceType, JsonEdit.Serialize(document, indented: true), JsonEdit.Fingerprint(document),
            Sanitize(resourceType.Substring(resourceType.LastIndexOf('/') + 1)));

    /// <summary>Saves a file's exact text (a Standard app's connections.json), once per file; <paramref name="fileId"/> is its address.</summary>
    public void SaveFile(string fileId, string fileName, string text, string fingerprint) =>
        Save("File", fileId, fileName, text, fingerprint, Sanitize(Path.GetFileNameWithoutExtension(fileName)));

    private void Save(string kind, string resourceId, string resourceType, string text, string fingerprint, string label)
    {
        lock (_gate)
        {
            if (_resources.ContainsKey(resourceId))
            {
                return;
            }

            EnsureFolder();
            var owner = Arm.AzureResourceId.LastSegment(kind == "File" ? AppConnectionsFile.SiteIdOf(resourceId) : resourceId);
            var file = $"{_resources.Count + 1:00}-{label}-{Sanitize(owner)}.json";
            var bytes = new UTF8Encoding(false).GetBytes(text);
            PrivateStorage.WriteNew(Path.Combine(Folder, file), bytes);
            var entry = new JsonObject
            {
                ["kind"] = kind,
                ["resourceId"] = resourceId,
                ["resourceType"] = resourceType,
                ["file"] = file,
                ["sha256"] = Digest(bytes),
                ["fingerprintBefore"] = fingerprint,
                ["fingerprintAfter"] = fingerprint,
                ["changes"] = new JsonArray(),
            };
            _resources[resourceId] = entry;
            _entries.Add(entry);
            WriteManifest();
        }
    }

    /// <summary>Records a write to a backed-up resource or file: what changed, and its fingerprint afterwards.</summary>
    public void RecordWrite(string resourceId, string description, string fingerprintAfter)
    {
        lock (_gate)
        {
            if (_resources.TryGetValue(resourceId, out var entry))
            {
                entry["fingerprintAfter"] = fingerprintAfter;
                ((JsonArray)entry["changes"]!).Add(description);
                WriteManifest();
            }
        }
    }

    /// <summary>Records something the run created and a restore deletes (a role assignment, an access policy).</summary>
    public void RecordCreated(string kind, string resourceId, string description, JsonObject? details = null)
    {
        lock (_gate)
        {
            EnsureFolder();
            var entry = new JsonObject
            {
                ["kind"] = kind,
                ["resourceId"] = resourceId,
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

            _entries.Add(entry);
            WriteManifest();
        }
    }

    /// <summary>
    /// Claims the folder for this run before the first backup: it must be new or empty, it is made owner-only, and
    /// manifest.json is created exclusively, so a second run on the same folder (even at the same moment) is refused.
    /// </summary>
    private void EnsureFolder()
    {
        if (Used)
        {
            return;
        }

        var manifest = Path.Combine(Folder, ManifestName);
        if (File.Exists(manifest))
        {
            throw InUse(null);
        }

        if (Directory.Exists(Folder) && Directory.EnumerateFileSystemEntries(Folder).Any())
        {
            throw new LogicAppAuthException("BackupPathNotEmpty", FailureKind.InvalidArgument,
                $"The backup folder '{Folder}' already holds other files, and a backup goes only into a new or empty folder (its files are private and a restore trusts " +
                "nothing it did not write); nothing was changed. Give a new folder with -BackupPath, or leave it out for a new one under your data folder.", Folder);
        }

        try
        {
            PrivateStorage.CreateFolder(Folder);
            PrivateStorage.WriteNew(manifest, new UTF8Encoding(false).GetBytes(ManifestText()));
            Used = true;
        }
        catch (IOException e) when (File.Exists(manifest))
        {
            throw InUse(e);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Reflection.TargetInvocationException)
        {
            throw new LogicAppAuthException("BackupFailed", FailureKind.InvalidArgument,
                $"The backup folder '{Folder}' could not be created as a folder only you can read ({(e.InnerException ?? e).Message}); nothing was changed. " +
                "Give a folder of your own with -BackupPath.", Folder, e);
        }
    }

    private LogicAppAuthException InUse(Exception? inner) =>
        new LogicAppAuthException("BackupPathInUse", FailureKind.InvalidArgument,
            $"The backup folder '{Folder}' already holds the backups of another run (manifest.json), which must not be overwritten; nothing was changed. " +
            "Give a new folder with -BackupPath, or leave it out for a new timestamped one.", Folder, inner);

    private void WriteManifest() => PrivateStorage.WriteAtomically(Path.Combine(Folder, ManifestName), ManifestText());

    private string ManifestText() => JsonEdit.Serialize(new JsonObject
    {
        ["schema"] = Schema,
        ["createdTime"] = _createdTime,
        ["fix"] = _fix.ToJson(),
        ["entries"] = _entries.DeepClone(),
    }, indented: true);

    /// <summary>The lowercase hex SHA-256 of a backup file's bytes, recorded at backup time and checked by a restore.</summary>
    internal static string Digest(byte[] bytes)
    {
        using var sha = SHA256.Create();
        return string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }


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
