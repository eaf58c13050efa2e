using System.Collections.Generic;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Expiry
{
    /// <summary>Keeps the objects an engine operation emits (e.g. the inventory's rows) and passes everything else on.</summary>
    internal sealed class CapturingSink<T> : IOperationSink where T : class
    {
        private readonly IOperationSink inner;
        private readonly List<T> items = new List<T>();

        public CapturingSink(IOperationSink inner) => this.inner = inner;

        public IReadOnlyList<T> Items
        {
            get
            {
                lock (items)
                {
                    return items.ToArray();
                }
            }
        }

        public void WriteObject(object item)
        {
            if (item is T typed)
            {
                lock (items)
                {
                    items.Add(typed);
                }
            }
        }

        public void WriteError(LogicAppAuthException error) => inner.WriteError(error);
        public void WriteWarning(string message) => inner.WriteWarning(message);
        public void WriteVerbose(string message) => inner.WriteVerbose(message);
        public void WriteDebug(string message) => inner.WriteDebug(message);
        public void WriteProgress(OperationProgress progress) => inner.WriteProgress(progress);
    }
}
