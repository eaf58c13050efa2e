using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Tests.Engine;

/// <summary>Collects what an engine operation reports.</summary>
public sealed class CollectingSink : IOperationSink
{
    private readonly object _gate = new();

    public List<object> Objects { get; } = new();
    public List<LogicAppAuthException> Errors { get; } = new();
    public List<string> Warnings { get; } = new();

    public void WriteObject(object item) { lock (_gate) { Objects.Add(item); } }
    public void WriteError(LogicAppAuthException error) { lock (_gate) { Errors.Add(error); } }
    public void WriteWarning(string message) { lock (_gate) { Warnings.Add(message); } }
    public void WriteVerbose(string message) { }
    public void WriteDebug(string message) { }
    public void WriteProgress(OperationProgress progress) { }
}
