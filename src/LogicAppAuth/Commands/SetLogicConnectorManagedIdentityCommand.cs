using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Remediation;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Switches API connections to the logic app's managed identity: identity, least-privileged role at the target
/// resource (or access policy), the connector's managed-identity shape, and the workflows' $connections. The engine
/// plans (reads only); each change is then offered to ShouldProcess here, on the pipeline thread, and applied alone.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LogicConnectorManagedIdentity", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByResourceIdSet)]
[OutputType(typeof(RemediationResult))]
public sealed class SetLogicConnectorManagedIdentityCommand : SingleConnectionCmdlet
{
    private BackupStore? _backups;
    private ManagedIdentityRemediator? _remediator;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetResourceId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserAssignedIdentityId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Role { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupPath { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (Role != null)
        {
            foreach (var role in Role)
            {
                try
                {
                    RoleTable.Resolve(role);
                }
                catch (Engine.Errors.LogicAppAuthException e)
                {
                    ThrowTerminatingError(ErrorRecordFactory.Create(e));
                }
            }
        }

        var folder = string.IsNullOrEmpty(BackupPath)
            ? Path.Combine(BackupStore.DefaultRoot(), "LogicAppAuth-backup-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 6))
            : SessionState.Path.GetUnresolvedProviderPathFromPSPath(BackupPath);
        _backups = new BackupStore(folder);
        _remediator = new ManagedIdentityRemediator(Session, _backups, new ManagedIdentityOptions
        {
            TargetResourceId = TargetResourceId ?? "",
            UserAssignedIdentityId = UserAssignedIdentityId ?? "",
            Roles = Role ?? Array.Empty<string>(),
        });
    }

    protected override void ProcessRecord()
    {
        foreach (var connectionId in ConnectionIds())
        {
            Fix(connectionId);
        }
    }

    protected override void EndProcessing()
    {
        if (_backups != null && _backups.Used)
        {
            WriteVerbose($"Backups and manifest: {_backups.Folder} (Restore-LogicAppAuthBackup -Path puts them back).");
        }
    }

    private void Fix(string connectionId)
    {
        RemediationPlan? plan = null;
        Run(connectionId, async (sink, token) => plan = await _remediator!.PlanAsync(connectionId, sink, token).ConfigureAwait(false));
        if (plan == null)
        {
            return;
        }

        bool whatIf = ApplyPlan(plan, "Set-LogicConnectorManagedIdentity");
        if (plan.Changes.Count == 0)
        {
            WriteVerbose($"Connection {plan.Name} already uses the managed identity as this fix wants it; nothing was sent.");
        }

        if (PassThru && !whatIf)
        {
            foreach (var result in plan.Results())
            {
                WriteObject(result);
            }
        }
    }
}
