using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Operations;

/// <summary>
/// Where an engine operation reports what it finds. Implementations must be thread-safe: concurrent requests
/// report from pool threads, and the cmdlet layer hands everything to PowerShell on the pipeline thread.
/// </summary>
public interface IOperationSink
{
    void WriteObject(object item);
    void WriteError(LogicAppAuthException error);
    void WriteWarning(string message);
    void WriteVerbose(string message);
    void WriteDebug(string message);
    void WriteProgress(OperationProgress progress);
}

public sealed class OperationProgress
{
    public OperationProgress(int activityId, string activity, string status, int percentComplete = -1, bool completed = false)
    {
        ActivityId = activityId;
        Activity = activity;
        Status = status;
        PercentComplete = percentComplete;
        Completed = completed;
    }

    public int ActivityId { get; }
    public string Activity { get; }
    public string Status { get; }
    public int PercentComplete { get; }
    public bool Completed { get; }
}
