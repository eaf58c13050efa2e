using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Diagnosis
{
    /// <summary>
    /// One sink for the life of a diagnostician whose target changes with each cmdlet call (each pipeline chunk
    /// gets its own PipelineSink), so that long-lived HTTP clients and caches can keep logging.
    /// </summary>
    internal sealed class ForwardingSink : IOperationSink
    {
        private volatile IOperationSink? target;

        public IOperationSink? Target
        {
            get => target;
            set => target = value;
        }

        public void WriteObject(object item) => target?.WriteObject(item);
        public void WriteError(LogicAppAuthException error) => target?.WriteError(error);
        public void WriteWarning(string message) => target?.WriteWarning(message);
        public void WriteVerbose(string message) => target?.WriteVerbose(message);
        public void WriteDebug(string message) => target?.WriteDebug(message);
        public void WriteProgress(OperationProgress progress) => target?.WriteProgress(progress);
    }
}
