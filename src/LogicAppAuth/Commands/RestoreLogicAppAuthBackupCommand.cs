using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Remediation;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Puts back what a Set-LogicConnectorManagedIdentity run changed, from its backup folder. The engine plans (reads the
/// manifest and the resources' current state); each change is offered to ShouldProcess here and applied alone.
/// </summary>
[Cmdlet(VerbsData.Restore, "LogicAppAuthBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RemediationResult))]
public sealed class RestoreLogicAppAuthBackupCommand : LogicAppAuthCmdlet
{
    private readonly HashSet<string> _done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("BackupPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>A tampered backup folder stops the whole call: nothing from it, or from folders piped after it, is trusted.</summary>
    protected override bool Terminates(string errorId) => errorId == "BackupEntryRefused";

    protected override void ProcessRecord()
    {
        var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!_done.Add(folder))
        {
            return;
        }

        var restorer = new BackupRestorer(Session, Force);
        IDisposable? folderLock = null;
        try
        {
            if (Directory.Exists(folder))
            {
                folderLock = BackupRestorer.Lock(folder);
            }
        }
        catch (LogicAppAuthException e)
        {
            WriteEngineError(e);
            return;
        }

        using (folderLock)
        {
            Restore(restorer, folder);
        }
    }

    private void Restore(BackupRestorer restorer, string folder)
    {
        RemediationPlan? plan = null;
        Run(folder, async (sink, token) => plan = await restorer.PlanAsync(folder, sink, token).ConfigureAwait(false));
        if (plan == null)
        {
            return;
        }

        ApplyPlan(plan, "Restore-LogicAppAuthBackup");
        if (plan.Changes.Count == 0)
        {
            WriteVerbose($"Everything in {folder} is already as it was before the fix; nothing was sent.");
        }

        if (PassThru)
        {
            foreach (var result in plan.Results())
            {
                if (result.Status != RemediationStatus.Declined)
                {
                    WriteObject(result);
                }
            }
        }
    }
}
