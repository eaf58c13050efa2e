using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>
    /// Joins connections with the logic apps that use them. Connections may arrive before every reference has been
    /// read; they wait here until the map of references is complete, and from then on go straight to the consumer.
    /// </summary>
    internal sealed class ConnectionCollector
    {
        private readonly object gate = new object();
        private readonly ReferenceMap references;
        private readonly Func<ConnectorStatus, bool> filter;
        private readonly Action<InventoryEntry> consume;
        private readonly Action<ConnectionFacts>? onRead;
        private readonly List<ConnectionFacts> pending = new List<ConnectionFacts>();
        private readonly HashSet<string> seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<Task> adding = new List<Task>();
        private bool referencesComplete;

        public ConnectionCollector(ReferenceMap references, Func<ConnectorStatus, bool> filter, Action<InventoryEntry> consume, Action<ConnectionFacts>? onRead = null)
        {
            this.references = references;
            this.filter = filter;
            this.consume = consume;
            this.onRead = onRead;
        }

        public ReferenceMap References => references;

        public void Add(ConnectionFacts facts)
        {
            if (onRead != null && filter(facts.Status))
            {
                onRead(facts);
            }

            lock (gate)
            {
                if (!seen.Add(facts.Status.ResourceId))
                {
                    return;
                }

                if (referencesComplete)
                {
                    Emit(facts, "");
                }
                else
                {
                    pending.Add(facts);
                }
            }
        }

        /// <summary>Keeps track of a connection that is added later (once its connector's metadata is read).</summary>
        public void AddLater(Task adding)
        {
            lock (gate)
            {
                this.adding.Add(adding);
            }
        }

        /// <summary>Completes when every connection handed to <see cref="AddLater"/> so far has been added.</summary>
        public Task AddedAsync()
        {
            lock (gate)
            {
                return Task.WhenAll(adding.ToList());
            }
        }

        public void ReferencesComplete()
        {
            lock (gate)
            {
                referencesComplete = true;
                pending.ForEach(facts => Emit(facts, ""));
                pending.Clear();
            }
        }

        /// <summary>Emits a NotFound row for each referenced connection in scope that was not listed.</summary>
        public void EmitMissing(Func<string, bool> inScope, string evidence)
        {
            lock (gate)
            {
                foreach (var (id, apiId) in references.Unseen(seen, inScope))
                {
                    if (TryParse(id) is AzureResourceId parsed && seen.Add(parsed.Id))
                    {
                        Emit(ConnectionFacts.Missing(ConnectionDocument.Missing(parsed, AzureResourceId.LastSegment(apiId)), apiId), evidence);
                    }
                }
            }
        }

        /// <summary>Emits a NotFound row for a connection that was asked for by id and does not exist.</summary>
        public void EmitGone(AzureResourceId id, string evidence)
        {
            lock (gate)
            {
                if (seen.Add(id.Id))
                {
                    var apiId = references.For(id.Id).Select(r => r.ApiId).FirstOrDefault(a => a.Length > 0) ?? "";
                    Emit(ConnectionFacts.Missing(ConnectionDocument.Missing(id, AzureResourceId.LastSegment(apiId)), apiId), evidence);
                }
            }
        }

        private void Emit(ConnectionFacts facts, string missingEvidence)
        {
            references.Annotate(facts.Status);
            if (filter(facts.Status))
            {
                consume(new InventoryEntry(facts, references.For(facts.Status.ResourceId), missingEvidence));
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
