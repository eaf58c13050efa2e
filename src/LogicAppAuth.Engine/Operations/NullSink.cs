using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Operations;

/// <summary>A sink that drops everything: the output of an engine object before its first call.</summary>
internal sealed class NullSink : IOperationSink
{
    public static readonly NullSink Instance = new NullSink();

    public void WriteObject(object item)
    {
    }

    public void WriteError(LogicAppAuthException error)
    {
    }

    public void WriteWarning(string message)
    {
    }

    public void WriteVerbose(string message)
    {
    }

    public void WriteDebug(string message)
    {
    }

    public void WriteProgress(OperationProgress progress)
    {
    }
}
