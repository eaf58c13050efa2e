using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Remediation;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>
/// Base of every cmdlet: runs engine work on the thread pool, streams what it reports to the pipeline,
/// cancels it on Ctrl+C (StopProcessing), and turns failures into ErrorRecords.
/// </summary>
public abstract class LogicAppAuthCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();

    /// <summary>The runspace that runs this command (cmdlets are created on its pipeline thread): whose sign-in it uses.</summary>
    protected Runspace? CallerRunspace { get; } = Runspace.DefaultRunspace;

    protected CancellationToken CancellationToken => _cancellation.Token;

    protected override void StopProcessing() => _cancellation.Cancel();

    public void Dispose()
    {
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs one engine operation for one input item; its failure is reported against <paramref name="target"/> and the pipeline goes on.</summary>
    protected void Run(string target, Func<IOperationSink, CancellationToken, Task> operation)
    {
        using var sink = new PipelineSink();
        var work = Task.Run(() => operation(sink, _cancellation.Token), _cancellation.Token);
        work.ContinueWith(_ => sink.Complete(), TaskScheduler.Default);
        try
        {
            foreach (var write in sink.Drain(_cancellation.Token))
            {
                write(this);
            }
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            // Leaving early (Ctrl+C, a terminating error, a stopped pipeline): cancel the work and give it a moment
            // to observe that, so that nothing keeps running behind the prompt.
            if (!work.IsCompleted)
            {
                _cancellation.Cancel();
                work.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(2));
            }
        }

        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e)
        {
            WriteEngineError(ExceptionTranslator.Translate(e, target));
        }
    }

    /// <summary>
    /// Passes each planned change through ShouldProcess and applies the confirmed ones in order, each as its own
    /// engine operation (a failure is reported and the plan decides what still may run). A change whose
    /// prerequisite was not made is skipped with a warning. Returns true when this was a -WhatIf run.
    /// </summary>
    protected bool ApplyPlan(RemediationPlan plan, string caption)
    {
        bool whatIf = false;
        foreach (var change in plan.Changes)
        {
            if (plan.Stopped)
            {
                plan.Skip(change);
                continue;
            }

            if (!whatIf && plan.BlockedBy(change) is string blocked)
            {
                plan.Skip(change);
                WriteWarning($"Not sent: {change.Description}, because {blocked}.");
                continue;
            }

            if (!ShouldProcess(change.WhatIfText, $"{change.Description}?", caption, out var reason))
            {
                whatIf |= reason == ShouldProcessReason.WhatIf;
                plan.Decline(change);
                continue;
            }

            var current = change;
            Run(current.TargetResourceId, (sink, token) => plan.ApplyAsync(current, sink, token));
        }

        return whatIf;
    }

    /// <summary>
    /// The caller runspace's session (its own Connect-LogicAppAuth, else the process default, else the credential
    /// chain); after a failed Connect-LogicAppAuth in that runspace, a terminating error instead.
    /// </summary>
    protected AzureSession Session
    {
        get
        {
            if (RunspaceSessions.SignInFailed(CallerRunspace))
            {
                ThrowTerminatingError(ErrorRecordFactory.Create(new LogicAppAuthException("NotConnected", FailureKind.AuthenticationError,
                    "The last Connect-LogicAppAuth failed, so its session was cleared and nothing is sent as an earlier identity or the default credential chain. " +
                    "Run Connect-LogicAppAuth again, or Disconnect-LogicAppAuth to go back to the default credential chain.", "Connect-LogicAppAuth")));
            }

            return RunspaceSessions.Current(CallerRunspace);
        }
    }

    /// <summary>False, with an InvalidArgument error, for a resource id whose path could address something else (a '..' segment, '?', '#').</summary>
    protected bool AcceptResourceId(string resourceId)
    {
        if (ArmNames.IdProblem(resourceId, "-ResourceId") is { } bad)
        {
            WriteEngineError(bad);
            return false;
        }

        return true;
    }

    /// <summary>Further failures, beyond the session-wide ones, that stop this cmdlet's whole call.</summary>
    protected virtual bool Terminates(string errorId) => false;

    internal void WriteEngineError(LogicAppAuthException error)
    {
        var record = ErrorRecordFactory.Create(error);
        if (error.IsSessionWide || Terminates(error.ErrorId))
        {
            ThrowTerminatingError(record);
        }

        WriteError(record);
    }
}
