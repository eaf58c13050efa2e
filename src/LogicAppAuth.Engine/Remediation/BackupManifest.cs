using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>One manifest entry that passed every check, with the module's own api-version for it.</summary>
internal sealed class BackupEntry
{
    public BackupEntry(JsonObject raw, int number, string kind, string resourceId, string resourceType, string apiVersion)
    {
        Raw = raw;
        Number = number;
        Kind = kind;
        ResourceId = resourceId;
        ResourceType = resourceType;
        ApiVersion = apiVersion;
    }

    /// <summary>The entry as in the manifest; restore marks it restored there.</summary>
    public JsonObject Raw { get; }
    public int Number { get; }
    public string Kind { get; }
    public string ResourceId { get; }
    public string ResourceType { get; }
    public string ApiVersion { get; }

    /// <summary>Resource and File: the saved text, whose digest matched the manifest.</summary>
    public string SavedText { get; set; } = "";
    public string SavedPath { get; set; } = "";

    /// <summary>RoleAssignment, AccessPolicy and VaultAccessPolicy: whom the fix gave access.</summary>
    public string PrincipalId { get; set; } = "";

    /// <summary>RoleAssignment: the role and the scope it was granted at.</summary>
    public BuiltInRole? Role { get; set; }
    public string Scope { get; set; } = "";

    /// <summary>VaultAccessPolicy: the policy the fix added, rebuilt from its checked parts.</summary>
    public JsonObject? VaultPolicy { get; set; }
}

/// <summary>
/// Reads a backup folder's manifest.json as untrusted input. Each entry must be something a fix of this module
/// records: a kind the fix writes, an id of the type that kind allows that belongs to the fix in the header, a
/// document that is a bare file name inside the folder whose SHA-256 matches the one recorded at backup time. The
/// manifest's own api-versions and descriptions are never used. Any other entry refuses the whole restore.
/// </summary>
internal sealed class BackupManifest
{
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";
    private const string AccessPolicyType = "Microsoft.Web/connections/accessPolicies";
    private const string VaultType = "Microsoft.KeyVault/vaults";
    private static readonly string[] VaultSecretPermissions = { "get", "list" };

    private BackupManifest(string folder, string path, JsonObject document, BackupFix fix, IReadOnlyList<BackupEntry> entries)
    {
        Folder = folder;
        Path = path;
        Document = document;
        Fix = fix;
        Entries = entries;
    }

    public string Folder { get; }
    public string Path { get; }

    /// <summary>The manifest as read; restore updates its entries' restored marks and writes it back.</summary>
    public JsonObject Document { get; }
    public BackupFix Fix { get; }
    public IReadOnlyList<BackupEntry> Entries { get; }

    public static BackupManifest Read(string folder)
    {
        folder = System.IO.Path.GetFullPath(folder);
        var path = System.IO.Path.Combine(folder, BackupStore.ManifestName);
        if (!File.Exists(path))
        {
            throw new LogicAppAuthException("BackupNotFound", FailureKind.ObjectNotFound,
                $"'{folder}' holds no {BackupStore.ManifestName}. Give the folder that Set-LogicConnectorManagedIdentity wrote (its -BackupPath, or the BackupPath of its -PassThru output).", folder);
        }

        if (PrivateStorage.WritableByOthers(folder) || PrivateStorage.WritableByOthers(path))
        {
            throw new LogicAppAuthException("BackupFolderNotPrivate", FailureKind.InvalidArgument,
                $"Other users can write to the backup folder '{folder}' or its {BackupStore.ManifestName}, so they could have changed what it would restore; nothing was restored. " +
                "Check its contents, make it private (chmod go-w, as the fix created it), and run the command again.", folder);
        }

        JsonObject document;
        try
        {
            document = JsonEdit.ParseObject(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw NotAManifest(path, e);
        }

        if (!string.Equals(JsonEdit.String(document, "schema"), BackupStore.Schema, StringComparison.Ordinal) || !(JsonEdit.Get(document, "entries") is JsonArray entries))
        {
            throw NotAManifest(path, null);
        }

        var items = entries.ToList();
        if (items.Count == 0)
        {
            throw new LogicAppAuthException("BackupEmpty", FailureKind.InvalidArgument, $"The backup in '{folder}' records no change; there is nothing to restore.", folder);
        }

        var fix = CheckedFix(path, JsonEdit.Get(document, "fix"));
        var checkedEntries = items.Select((item, i) => new EntryCheck(folder, path, fix, item as JsonObject, i + 1).Run()).ToList();
        return new BackupManifest(folder, path, document, fix, checkedEntries);
    }

    /// <summary>The refusal of one entry: terminating, and nothing is written.</summary>
    public static LogicAppAuthException Refused(string manifestPath, int number, string kind, string resourceId, string reason) =>
        new LogicAppAuthException("BackupEntryRefused", FailureKind.InvalidArgument,
            $"Entry {number} of '{manifestPath}' ({(kind.Length == 0 ? "no kind" : kind)} {(resourceId.Length == 0 ? "(no id)" : resourceId)}) was refused: {reason}. " +
            "A backup folder is untrusted input, and a restore puts back only what a fix of this module recorded; nothing was restored. " +
            "Restore from the folder the fix wrote, unchanged, or undo the change by hand.", resourceId.Length == 0 ? manifestPath : resourceId);

    private static LogicAppAuthException NotAManifest(string path, Exception? inner) =>
        new LogicAppAuthException("BackupNotReadable", FailureKind.InvalidArgument,
            $"'{path}' is not a LogicAppAuth backup manifest ({BackupStore.Schema}); nothing was restored. Backups written by an older version cannot be restored by this one: " +
            "undo their changes by hand from the saved documents.", path, inner);

    private static BackupFix CheckedFix(string path, JsonNode? header)
    {
        var fix = BackupFix.FromJson(header);
        string? bad = fix.Connections.Count == 0 ? "it names no connection"
            : fix.Connections.FirstOrDefault(c => !IsType(c, AzureResourceId.ConnectionType) && !IsType(c, LogicApps.BuiltInConnection.ResourceType)) is { } connection
                ? $"'{connection}' is not an API connection or built-in connection id"
            : fix.Holders.FirstOrDefault(h => !IsType(h, AzureResourceId.WorkflowType) && !IsType(h, AzureResourceId.SiteType)) is { } holder ? $"'{holder}' is not a workflow or Standard app id"
            : fix.Targets.FirstOrDefault(t => TryParse(t) == null) is { } target ? $"'{target}' is not a resource id"
            : null;
        if (bad != null)
        {
            throw new LogicAppAuthException("BackupEntryRefused", FailureKind.InvalidArgument,
                $"The header of '{path}' (what the fix was about) was refused: {bad}. A backup folder is untrusted input; nothing was restored.", path);
        }

        return fix;
    }

    internal static AzureResourceId? TryParse(string id)
    {
        try
        {
            return id.IndexOf("..", StringComparison.Ordinal) >= 0 || id.IndexOfAny(new[] { '?', '#', '\\' }) >= 0 ? null : AzureResourceId.Parse(id);
        }
        catch (LogicAppAuthException)
        {
            return null;
        }
    }

    private static bool IsType(string id, string type) => TryParse(id)?.IsType(type) ?? false;

    /// <summary>The checks of one entry; <see cref="Run"/> returns it checked or throws <see cref="Refused"/>.</summary>
    private sealed class EntryCheck
    {
        private readonly string _folder;
        private readonly string _manifestPath;
        private readonly BackupFix _fix;
        private readonly JsonObject? _raw;
        private readonly int _number;
        private readonly string _kind;
        private readonly string _resourceId;

        public EntryCheck(string folder, string manifestPath, BackupFix fix, JsonObject? raw, int number)
        {
            _folder = folder;
            _manifestPath = manifestPath;
            _fix = fix;
            _raw = raw;
            _number = number;
            _kind = JsonEdit.String(raw, "kind");
            _resourceId = JsonEdit.String(raw, "resourceId");
        }

        public BackupEntry Run()
        {
            if (_raw == null)
            {
                throw Refuse("it is not a JSON object");
            }

            var id = TryParse(_resourceId) ?? throw Refuse("its resourceId is not a plain Azure resource id");
            switch (_kind)
            {
                case "Resource": return Resource(id);
                case "File": return AppFile(id);
                case "RoleAssignment": return RoleAssignment(id);
                case "AccessPolicy": return AccessPolicy(id);
                case "VaultAccessPolicy": return VaultAccessPolicy(id);
                default: throw Refuse("a fix records only Resource, File, RoleAssignment, AccessPolicy and VaultAccessPolicy entries");
            }
        }

        private BackupEntry Resource(AzureResourceId id)
        {
            var type = JsonEdit.String(_raw, "resourceType");
            string apiVersion;
            if (id.IsType(AzureResourceId.ConnectionType) && BackupFix.Has(_fix.Connections, id.Id))
            {
                apiVersion = ApiVersions.Connections;
            }
            else if (id.IsType(AzureResourceId.WorkflowType) && BackupFix.Has(_fix.Holders, id.Id))
            {
                apiVersion = ApiVersions.Workflows;
            }
            else if (id.IsType(AzureResourceId.SiteType) && BackupFix.Has(_fix.Holders, id.Id))
            {
                apiVersion = ApiVersions.Sites;
            }
            else
            {
                throw Refuse("a fix saves only the connections it switched and the workflows and Standard apps named in the manifest's header");
            }

            if (!id.IsType(type))
            {
                throw Refuse($"its resourceType '{type}' is not the type of its id");
            }

            var entry = new BackupEntry(_raw!, _number, _kind, id.Id, id.ResourceType, apiVersion);
            ReadSaved(entry);
            JsonObject saved;
            try
            {
                saved = JsonEdit.ParseObject(entry.SavedText);
            }
            catch (System.Text.Json.JsonException)
            {
                throw Refuse("its saved document is not JSON");
            }

            if (!BackupFix.SameId(JsonEdit.String(saved, "id"), id.Id))
            {
                throw Refuse($"its saved document is of '{JsonEdit.String(saved, "id")}', not of the entry's resource");
            }

            return entry;
        }

        private BackupEntry AppFile(AzureResourceId id)
        {
            var siteId = AppConnectionsFile.SiteIdOf(_resourceId);
            if (!IsType(siteId, AzureResourceId.SiteType) || !BackupFix.Has(_fix.Holders, siteId) || !BackupFix.SameId(AppConnectionsFile.AddressOf(siteId), _resourceId)
                || !string.Equals(JsonEdit.String(_raw, "resourceType"), AppConnectionsFile.ResourceType, StringComparison.Ordinal))
            {
                throw Refuse("a fix saves only the connections.json of a Standard app named in the manifest's header");
            }

            var entry = new BackupEntry(_raw!, _number, _kind, AppConnectionsFile.AddressOf(AzureResourceId.Parse(siteId).Id), AppConnectionsFile.ResourceType, AppConnectionsFile.ApiVersion);
            ReadSaved(entry);
            return entry;
        }

        private BackupEntry RoleAssignment(AzureResourceId id)
        {
            var marker = $"/providers/{RoleAssignmentType}/";
            var at = id.Id.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            var scope = at < 0 ? "" : id.Id.Substring(0, at);
            if (!id.IsType(RoleAssignmentType) || at < 0 || !BackupFix.Has(_fix.Targets, scope))
            {
                throw Refuse("a fix creates role assignments only at the target resources named in the manifest's header");
            }

            var principal = Guid(JsonEdit.String(_raw, "principalId"), "principalId");
            BuiltInRole role;
            try
            {
                role = RoleTable.Resolve(JsonEdit.String(_raw, "roleName"));
            }
            catch (LogicAppAuthException)
            {
                throw Refuse($"its role '{JsonEdit.String(_raw, "roleName")}' is not one this module grants");
            }

            if (!BackupFix.SameId(JsonEdit.String(_raw, "scope"), scope)
                || !string.Equals(id.Name, DeterministicGuid.ForRoleAssignment(scope, principal, role.Id).ToString("D"), StringComparison.OrdinalIgnoreCase))
            {
                throw Refuse("its name is not the one the fix gives the assignment of that role to that principal at that scope");
            }

            return new BackupEntry(_raw!, _number, _kind, id.Id, RoleAssignmentType, ApiVersions.Authorization) { PrincipalId = principal, Role = role, Scope = scope };
        }

        private BackupEntry AccessPolicy(AzureResourceId id)
        {
            var at = id.Id.LastIndexOf("/accessPolicies/", StringComparison.OrdinalIgnoreCase);
            var connectionId = at < 0 ? "" : id.Id.Substring(0, at);
            if (!id.IsType(AccessPolicyType) || !BackupFix.Has(_fix.Connections, connectionId))
            {
                throw Refuse("a fix creates access policies only on the connections named in the manifest's header");
            }

            var principal = Guid(id.Name, "access policy name");
            return new BackupEntry(_raw!, _number, _kind, id.Id, AccessPolicyType, ApiVersions.Connections) { PrincipalId = principal, Scope = connectionId };
        }

        private BackupEntry VaultAccessPolicy(AzureResourceId id)
        {
            if (!id.IsType(VaultType) || !BackupFix.Has(_fix.Targets, id.Id))
            {
                throw Refuse("a fix adds Key Vault access policies only to the vaults named in the manifest's header");
            }

            var policy = JsonEdit.Get(_raw, "policy");
            var permissions = (JsonEdit.Get(policy, "permissions", "secrets") as JsonArray)?.Select(p => p is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList() ?? new List<string>();
            var other = (JsonEdit.Get(policy, "permissions") as JsonObject)?.Select(p => p.Key).Where(k => !string.Equals(k, "secrets", StringComparison.Ordinal)).ToList();
            if (permissions.Count == 0 || permissions.Any(p => !VaultSecretPermissions.Contains(p)) || (other?.Count ?? 0) > 0)
            {
                throw Refuse("a fix adds only the secret permissions get and list");
            }

            var checkedPolicy = new JsonObject
            {
                ["tenantId"] = Guid(JsonEdit.String(policy, "tenantId"), "policy tenantId"),
                ["objectId"] = Guid(JsonEdit.String(policy, "objectId"), "policy objectId"),
                ["permissions"] = new JsonObject { ["secrets"] = new JsonArray(permissions.Select(p => (JsonNode?)p).ToArray()) },
            };
            return new BackupEntry(_raw!, _number, _kind, id.Id, VaultType, ApiVersions.KeyVault)
            {
                PrincipalId = JsonEdit.String(checkedPolicy, "objectId"),
                Scope = id.Id,
                VaultPolicy = checkedPolicy,
            };
        }

        /// <summary>The saved document: a bare file name inside the folder, a regular file (no link), with the digest recorded at backup time.</summary>
        private void ReadSaved(BackupEntry entry)
        {
            var name = JsonEdit.String(_raw, "file");
            if (name.Length == 0 || name != System.IO.Path.GetFileName(name) || name == "." || name == ".." || name.IndexOfAny(new[] { '/', '\\', ':' }) >= 0
                || string.Equals(name, BackupStore.ManifestName, StringComparison.OrdinalIgnoreCase))
            {
                throw Refuse($"its file '{name}' is not a plain file name inside the backup folder");
            }

            var path = System.IO.Path.Combine(_folder, name);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new LogicAppAuthException("BackupFileMissing", FailureKind.ObjectNotFound, $"The backup file '{path}' named in entry {_number} of the manifest is missing; nothing was restored.", path);
            }

            if ((info.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                throw Refuse($"its file '{name}' is a link, not a file the fix wrote");
            }

            var bytes = File.ReadAllBytes(path);
            var recorded = JsonEdit.String(_raw, "sha256");
            if (recorded.Length == 0 || !string.Equals(recorded, BackupStore.Digest(bytes), StringComparison.OrdinalIgnoreCase))
            {
                throw Refuse($"its file '{name}' does not have the SHA-256 digest recorded when the fix saved it (it was edited or replaced)");
            }

            entry.SavedPath = path;
            entry.SavedText = new UTF8Encoding(false).GetString(bytes);
        }

        private string Guid(string text, string what) =>
            System.Guid.TryParse(text, out var guid) ? guid.ToString("D") : throw Refuse($"its {what} '{text}' is not a GUID");

        private LogicAppAuthException Refuse(string reason) => Refused(_manifestPath, _number, _kind, _resourceId, reason);
    }
}
