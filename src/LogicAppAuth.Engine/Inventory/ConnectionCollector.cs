using System;
using System.Collections.Generic;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>
    /// Joins connections with the apps that use them. Connections may arrive before every workflow has been read;
    /// they wait here until the map of users is complete, and from then on stream straight to the sink.
    /// </summary>
    internal sealed class ConnectionCollector
    {
        private readonly object gate = new object();
        private readonly ReferenceMap references;
        private readonly IOperationSink sink;
        private readonly Func<ConnectorStatus, bool> filter;
        private readonly List<ConnectorStatus> pending = new List<ConnectorStatus>();
        private readonly HashSet<string> seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private bool referencesComplete;

        public ConnectionCollector(ReferenceMap references, IOperationSink sink, Func<ConnectorStatus, bool> filter)
        {
            this.references = references;
            this.sink = sink;
            this.filter = filter;
        }

        public ReferenceMap References => references;

        public void Add(ConnectorStatus status)
        {
            lock (gate)
            {
                if (!seen.Add(status.ResourceId))
                {
                    return;
                }

                if (referencesComplete)
                {
                    Emit(status);
                }
                else
                {
                    pending.Add(status);
                }
            }
        }

        public void ReferencesComplete()
        {
            lock (gate)
            {
                referencesComplete = true;
                pending.ForEach(Emit);
                pending.Clear();
            }
        }

        /// <summary>Emits a NotFound row for each referenced connection in scope that was not listed.</summary>
        public void EmitMissing(Func<string, bool> inScope)
        {
            lock (gate)
            {
                foreach (var (id, apiName) in references.Unseen(seen, inScope))
                {
                    if (TryParse(id) is AzureResourceId parsed && seen.Add(parsed.Id))
                    {
                        Emit(ConnectionDocument.Missing(parsed, apiName));
                    }
                }
            }
        }

        private void Emit(ConnectorStatus status)
        {
            references.Annotate(status);
            if (filter(status))
            {
                sink.WriteObject(status);
            }
        }

        private static AzureResourceId? TryParse(string id)
        {
            try
            {
                return AzureResourceId.Parse(id);
            }
            catch (Errors.LogicAppAuthException)
            {
                return null;
            }
        }
    }
}
