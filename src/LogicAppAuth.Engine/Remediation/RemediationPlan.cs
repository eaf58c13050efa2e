using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>One write a fix (or a restore) would send: what it does, to which resource, and how it is applied.</summary>
public sealed class PlannedChange
{
    internal PlannedChange(RemediationOperation operation, string targetResourceId, string method, string description,
        Func<ApplyContext, Task> apply, IEnumerable<PlannedChange?>? dependsOn = null)
    {
        Operation = operation;
        TargetResourceId = targetResourceId;
        Method = method;
        Description = description;
        Apply = apply;
        DependsOn = (dependsOn ?? Enumerable.Empty<PlannedChange?>()).Where(d => d != null).Cast<PlannedChange>().ToList();
    }

    public RemediationOperation Operation { get; }
    /// <summary>The resource written to; for a new role assignment or access policy, its final id once the principal is known.</summary>
    public string TargetResourceId { get; internal set; }

    /// <summary>PUT, PATCH or DELETE.</summary>
    public string Method { get; }

    public string Description { get; }

    /// <summary>Null until decided: Applied, AlreadyInPlace (e.g. 409 RoleAssignmentExists), Declined or Skipped.</summary>
    public RemediationStatus? Status { get; internal set; }

    public bool Failed { get; internal set; }
    public string PrincipalId { get; internal set; } = "";
    public string RoleName { get; internal set; } = "";
    public string Scope { get; internal set; } = "";

    /// <summary>What -WhatIf prints and -Confirm asks about.</summary>
    public string WhatIfText => $"{Description} [{Method} {TargetResourceId}]";

    internal Func<ApplyContext, Task> Apply { get; }
    internal IReadOnlyList<PlannedChange> DependsOn { get; }
}

/// <summary>What a change's apply step gets: an ARM client bound to the current output sink, the run's backups, and the plan.</summary>
internal sealed class ApplyContext
{
    public ApplyContext(ArmRestClient arm, IOperationSink sink, RemediationPlan plan, PlannedChange change, CancellationToken cancellationToken)
    {
        Arm = arm;
        Sink = sink;
        Plan = plan;
        Change = change;
        CancellationToken = cancellationToken;
    }

    public ArmRestClient Arm { get; }
    public IOperationSink Sink { get; }
    public RemediationPlan Plan { get; }
    public PlannedChange Change { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Read-modify-write of one resource: read it again, refuse when it changed since the plan (or since this run's own
    /// last write to it), save its full JSON before the first write, send the body built from the fresh document, and
    /// remember how it reads afterwards.
    /// </summary>
    public async Task<JsonObject> WriteAsync(string resourceId, string resourceType, string apiVersion, string method, Func<JsonObject, JsonObject> body)
    {
        JsonObject fresh;
        using (var document = await Arm.GetAsync($"{resourceId}?api-version={apiVersion}", resourceId, CancellationToken).ConfigureAwait(false))
        {
            fresh = JsonEdit.ToObject(document);
        }

        Plan.CheckUnchanged(resourceId, JsonEdit.Fingerprint(fresh));
        Plan.Backups.SaveResource(resourceId, resourceType, fresh);
        var text = JsonEdit.Serialize(body((JsonObject)fresh.DeepClone()));
        var url = $"{resourceId}?api-version={apiVersion}";
        var etag = JsonEdit.String(fresh, "etag");
        JsonObject after;
        try
        {
            using var response = method == "PATCH"
                ? await Arm.PatchAsync(url, text, resourceId, CancellationToken, etag.Length > 0 ? etag : null).ConfigureAwait(false)
                : await Arm.PutAsync(url, text, resourceId, CancellationToken, etag.Length > 0 ? etag : null).ConfigureAwait(false);
            after = JsonEdit.ToObject(response);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 412)
        {
            throw RemediationPlan.ConcurrentChange(resourceId, "its ETag changed between the read and the write", e);
        }

        Plan.Remember(resourceId, after);
        Plan.Backups.RecordWrite(resourceId, Change.Description, JsonEdit.Fingerprint(after));
        return after;
    }

    /// <summary>
    /// Read-modify-write of a Standard app's connections.json: read it again, refuse when its text changed since the
    /// plan, save it before the first write, and send the new text with If-Match so that a save in between is refused
    /// by the service too (412). Returns the text written.
    /// </summary>
    public async Task<string> WriteFileAsync(string siteId, Func<AppConnectionsFile, string> edit, DeploymentValues? values = null)
    {
        var address = AppConnectionsFile.AddressOf(siteId);
        var fresh = await AppConnectionsFile.ReadAsync(Arm, siteId, CancellationToken, values).ConfigureAwait(false);
        Plan.CheckUnchanged(address, fresh.CurrentFingerprint, "content");
        Plan.Backups.SaveFile(address, AppConnectionsFile.ResourceType, fresh.Text, fresh.CurrentFingerprint);
        var text = edit(fresh);
        if (fresh.ETag.Length == 0)
        {
            Sink.WriteWarning($"The host runtime sent no ETag for '{address}', so the write cannot be made conditional; it is guarded only by reading the file again just before it.");
        }

        try
        {
            await Arm.PutFileAsync(AppConnectionsFile.UrlOf(siteId), text, fresh.ETag.Length > 0 ? fresh.ETag : "*", address, CancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 412)
        {
            // A PUT retried after its answer was lost finds its own write: that is success, not a conflict.
            var now = await AppConnectionsFile.ReadAsync(Arm, siteId, CancellationToken).ConfigureAwait(false);
            if (!string.Equals(now.Text, text, StringComparison.Ordinal))
            {
                throw RemediationPlan.ConcurrentChange(address, "its ETag changed between the read and the write", e);
            }
        }

        var after = AppConnectionsFile.Fingerprint(text);
        Plan.RememberFingerprint(address, after);
        Plan.Backups.RecordWrite(address, Change.Description, after);
        return text;
    }
}

/// <summary>
/// The changes one connection needs, in the order they are applied, plus what is already in place. Built in one
/// engine call (reads only); the cmdlet then asks ShouldProcess for each change on the pipeline thread and applies
/// the approved ones one by one. When one fails, the rest are not sent and the error lists what was already changed.
/// </summary>
public sealed class RemediationPlan
{
    private readonly AzureSession _session;
    private readonly Dictionary<string, string> _fingerprints = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _principals = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    private readonly List<PlannedChange> _changes = new List<PlannedChange>();
    private readonly List<RemediationResult> _inPlace = new List<RemediationResult>();
    private readonly bool _resultsPerTarget;

    internal RemediationPlan(AzureSession session, BackupStore backups, string resourceId, string apiName, string undoHint, bool resultsPerTarget = false)
    {
        _resultsPerTarget = resultsPerTarget;
        _session = session;
        Backups = backups;
        var id = AzureResourceId.Parse(resourceId);
        ResourceId = id.Id;
        SubscriptionId = id.SubscriptionId;
        ResourceGroupName = id.ResourceGroupName;
        Name = id.Name;
        ApiName = apiName;
        UndoHint = undoHint;
    }

    public string ResourceId { get; }
    public string SubscriptionId { get; }
    public string ResourceGroupName { get; }
    public string Name { get; }
    public string ApiName { get; }
    public IReadOnlyList<PlannedChange> Changes => _changes;
    public IReadOnlyList<RemediationResult> InPlace => _inPlace;

    /// <summary>Set when a change failed: nothing after it is sent.</summary>
    public bool Stopped { get; private set; }

    internal BackupStore Backups { get; }

    /// <summary>How to undo what was applied (e.g. the Restore-LogicAppAuthBackup command line), used in failure messages.</summary>
    private string UndoHint { get; }

    internal void Add(PlannedChange change) => _changes.Add(change);

    internal void AddInPlace(RemediationOperation operation, string targetResourceId, string description, string principalId = "", string roleName = "", string scope = "") =>
        _inPlace.Add(Result(operation, RemediationStatus.AlreadyInPlace, targetResourceId, description, "", principalId, roleName, scope));

    /// <summary>The state a resource was planned against; a write refuses when it reads differently.</summary>
    internal void Remember(string resourceId, JsonNode? document) => RememberFingerprint(resourceId, JsonEdit.Fingerprint(document));

    internal void RememberFingerprint(string resourceId, string fingerprint)
    {
        lock (_fingerprints)
        {
            _fingerprints[resourceId] = fingerprint;
        }
    }

    /// <summary>Refuses when <paramref name="now"/> (the changedTime, or a file's content hash) differs from what was planned against.</summary>
    internal void CheckUnchanged(string resourceId, string now, string basis = "changedTime")
    {
        string expected;
        lock (_fingerprints)
        {
            if (!_fingerprints.TryGetValue(resourceId, out expected!))
            {
                return;
            }
        }

        if (expected.Length == 0 || now.Length == 0)
        {
            // With nothing to compare, equal would mean "unknown": refuse rather than risk overwriting someone's change.
            throw new LogicAppAuthException("NoChangeMarker", FailureKind.ResourceExists,
                $"'{resourceId}' has no {basis} (nor ETag) to tell whether someone changed it since it was read, so it was not overwritten. " +
                "Change it by hand, or run the command again once the resource reports a changedTime.", resourceId);
        }

        if (!JsonEdit.SameFingerprint(expected, now))
        {
            throw ConcurrentChange(resourceId, $"{basis} {Or(expected)} is now {Or(now)}");
        }
    }

    internal static LogicAppAuthException ConcurrentChange(string resourceId, string evidence, Exception? inner = null) =>
        new LogicAppAuthException("ConcurrentChange", FailureKind.ResourceExists,
            $"'{resourceId}' changed after it was read for this fix ({evidence}), so it was not overwritten. " +
            "Someone else saved it in between: run the command again to plan against its current state.", resourceId, inner);

    internal void SetPrincipal(string holderId, string principalId)
    {
        lock (_principals)
        {
            _principals[holderId] = principalId;
        }
    }

    internal string PrincipalOf(string holderId)
    {
        lock (_principals)
        {
            return _principals.TryGetValue(holderId, out var principal) ? principal : "";
        }
    }

    /// <summary>Why a change cannot be sent (a change it depends on was declined, skipped or failed), or null.</summary>
    public string? BlockedBy(PlannedChange change)
    {
        var blocker = change.DependsOn.FirstOrDefault(d => d.Failed || d.Status == RemediationStatus.Declined || d.Status == RemediationStatus.Skipped || d.Status == null);
        return blocker == null ? null : $"it needs '{blocker.Description}', which was {(blocker.Failed ? "not completed" : "not made")}";
    }

    public void Decline(PlannedChange change) => change.Status = RemediationStatus.Declined;

    public void Skip(PlannedChange change) => change.Status = RemediationStatus.Skipped;

    /// <summary>Sends one change. On failure, stops the plan and throws an error that lists the changes already made and how to undo them.</summary>
    public async Task ApplyAsync(PlannedChange change, IOperationSink sink, CancellationToken cancellationToken)
    {
        if (Stopped)
        {
            change.Status = RemediationStatus.Skipped;
            return;
        }

        try
        {
            await change.Apply(new ApplyContext(_session.Arm(sink), sink, this, change, cancellationToken)).ConfigureAwait(false);
            if (change.Status == null)
            {
                change.Status = RemediationStatus.Applied;
            }

            sink.WriteVerbose($"{(change.Status == RemediationStatus.Applied ? "Done" : "Already in place")}: {change.Description}");
        }
        catch (Exception e) when (!(e is OperationCanceledException))
        {
            change.Failed = true;
            Stopped = true;
            var error = ExceptionTranslator.Translate(e, change.TargetResourceId);
            throw new LogicAppAuthException(error.ErrorId, error.Kind, $"{error.Message} {Summary(change)}", error.Target, e) { HttpStatus = error.HttpStatus };
        }
    }

    /// <summary>One result per change and per thing already in place, for -PassThru.</summary>
    public IEnumerable<RemediationResult> Results()
    {
        foreach (var result in _inPlace)
        {
            yield return result;
        }

        foreach (var change in _changes.Where(c => c.Status != null))
        {
            yield return Result(change.Operation, change.Status!.Value, change.TargetResourceId, change.Description, $"{change.Method} {change.TargetResourceId}",
                change.PrincipalId, change.RoleName, change.Scope);
        }
    }

    private string Summary(PlannedChange failed)
    {
        var done = _changes.Where(c => c.Status == RemediationStatus.Applied).ToList();
        var notSent = _changes.Where(c => c != failed && c.Status == null).Select(c => c.Description).ToList();
        var text = $"While fixing connection '{Name}', this step failed: {failed.Description}.";
        text += done.Count == 0
            ? " No earlier change had been made for this connection, so nothing is half-done."
            : $" Changes already made before it: {string.Join("; ", done.Select((c, i) => $"({i + 1}) {c.Description}"))}. To undo them: {UndoHint}";
        if (notSent.Count > 0)
        {
            text += $" Not sent: {string.Join("; ", notSent)}.";
        }

        return text;
    }

    private RemediationResult Result(RemediationOperation operation, RemediationStatus status, string target, string description, string request,
        string principalId, string roleName, string scope)
    {
        var subject = _resultsPerTarget ? TryParse(target) : null;
        return new RemediationResult
        {
            ResourceId = subject?.Id ?? ResourceId,
            SubscriptionId = subject?.SubscriptionId ?? SubscriptionId,
            ResourceGroupName = subject?.ResourceGroupName ?? ResourceGroupName,
            Name = subject?.Name ?? Name,
            ApiName = ApiName,
            Operation = operation,
            Status = status,
            TargetResourceId = target,
            Description = description,
            Request = request,
            PrincipalId = principalId,
            RoleName = roleName,
            Scope = scope,
            BackupPath = Backups.Used ? Backups.Folder : "",
        };
    }

    private static AzureResourceId? TryParse(string id)
    {
        try
        {
            return AzureResourceId.Parse(id);
        }
        catch (LogicAppAuthException)
        {
            return null;
        }
    }

    private static string Or(string value) => value.Length == 0 ? "(none)" : value;
}
