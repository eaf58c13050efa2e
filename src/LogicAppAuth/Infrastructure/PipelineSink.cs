using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>
/// Collects what an engine operation reports from any thread, so that the cmdlet can write it to PowerShell
/// on the pipeline thread (the only thread PowerShell accepts writes from) as soon as it arrives.
/// </summary>
internal sealed class PipelineSink : IOperationSink, IDisposable
{
    private readonly BlockingCollection<Action<LogicAppAuthCmdlet>> _queue = new BlockingCollection<Action<LogicAppAuthCmdlet>>();

    public void WriteObject(object item) => Add(cmdlet => cmdlet.WriteObject(item));

    public void WriteError(LogicAppAuthException error) => Add(cmdlet => cmdlet.WriteEngineError(error));

    public void WriteWarning(string message) => Add(cmdlet => cmdlet.WriteWarning(message));

    public void WriteVerbose(string message) => Add(cmdlet => cmdlet.WriteVerbose(message));

    public void WriteDebug(string message) => Add(cmdlet => cmdlet.WriteDebug(message));

    public void WriteProgress(OperationProgress progress) => Add(cmdlet =>
    {
        var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status)
        {
            PercentComplete = progress.PercentComplete,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        cmdlet.WriteProgress(record);
    });

    public void Complete() => _queue.CompleteAdding();

    public IEnumerable<Action<LogicAppAuthCmdlet>> Drain(CancellationToken cancellationToken) => _queue.GetConsumingEnumerable(cancellationToken);

    public void Dispose() => _queue.Dispose();

    private void Add(Action<LogicAppAuthCmdlet> write)
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.Add(write);
        }
    }
}
