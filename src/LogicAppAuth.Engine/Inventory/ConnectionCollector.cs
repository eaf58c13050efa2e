using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// Joins connections with the logic apps that use them. Connections may arrive before every reference has been
/// read; they wait here until the map of references is complete, and from then on go straight to the consumer.
/// </summary>
internal sealed class ConnectionCollector
{
    private readonly object _gate = new object();
    private readonly ReferenceMap _references;
    private readonly Func<ConnectorStatus, bool> _filter;
    private readonly Action<InventoryEntry> _consume;
    private readonly Action<ConnectionFacts>? _onRead;
    private readonly List<ConnectionFacts> _pending = new List<ConnectionFacts>();
    private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _adding = new List<Task>();
    private bool _referencesComplete;

    public ConnectionCollector(ReferenceMap references, Func<ConnectorStatus, bool> filter, Action<InventoryEntry> consume, Action<ConnectionFacts>? onRead = null)
    {
        _references = references;
        _filter = filter;
        _consume = consume;
        _onRead = onRead;
    }

    public ReferenceMap References => _references;

    public void Add(ConnectionFacts facts)
    {
        if (_onRead != null && _filter(facts.Status))
        {
            _onRead(facts);
        }

        lock (_gate)
        {
            if (!_seen.Add(facts.Status.ResourceId))
            {
                return;
            }

            if (_referencesComplete)
            {
                Emit(facts, "");
            }
            else
            {
                _pending.Add(facts);
            }
        }
    }

    /// <summary>Keeps track of a connection that is added later (once its connector's metadata is read).</summary>
    public void AddLater(Task adding)
    {
        lock (_gate)
        {
            _adding.Add(adding);
        }
    }

    /// <summary>Completes when every connection handed to <see cref="AddLater"/> so far has been added.</summary>
    public Task AddedAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll(_adding.ToList());
        }
    }

    public void ReferencesComplete()
    {
        lock (_gate)
        {
            _referencesComplete = true;
            _pending.ForEach(facts => Emit(facts, ""));
            _pending.Clear();
        }
    }

    /// <summary>Emits a NotFound row for each referenced connection in scope that was not listed.</summary>
    public void EmitMissing(Func<string, bool> inScope, string evidence)
    {
        lock (_gate)
        {
            foreach (var (id, apiId) in _references.Unseen(_seen, inScope))
            {
                if (TryParse(id) is AzureResourceId parsed && _seen.Add(parsed.Id))
                {
                    Emit(ConnectionFacts.Missing(ConnectionDocument.Missing(parsed, AzureResourceId.LastSegment(apiId)), apiId), evidence);
                }
            }
        }
    }

    /// <summary>Emits a NotFound row for a connection that was asked for by id and does not exist.</summary>
    public void EmitGone(AzureResourceId id, string evidence)
    {
        lock (_gate)
        {
            if (_seen.Add(id.Id))
            {
                var apiId = _references.For(id.Id).Select(r => r.ApiId).FirstOrDefault(a => a.Length > 0) ?? "";
                Emit(ConnectionFacts.Missing(ConnectionDocument.Missing(id, AzureResourceId.LastSegment(apiId)), apiId), evidence);
            }
        }
    }

    private void Emit(ConnectionFacts facts, string missingEvidence)
    {
        _references.Annotate(facts.Status);
        if (_filter(facts.Status))
        {
            _consume(new InventoryEntry(facts, _references.For(facts.Status.ResourceId), missingEvidence));
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
