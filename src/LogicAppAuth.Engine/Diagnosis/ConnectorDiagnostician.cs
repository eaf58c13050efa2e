using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Graph;
using LogicAppAuth.Engine.Http;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.RunHistory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>
/// Diagnoses the connections the inventory finds (<see cref="ConnectorInventory"/>: the same scopes, Resource Graph
/// included), proving causes from statuses, Microsoft Graph (users, applications), ARM (identities, access
/// policies, roles) and, when asked, live tests and run history. One instance serves a whole cmdlet invocation, so
/// that every look-up is made once (Graph look-ups deduplicated and batched by 20; tenants, role assignments and
/// definitions, run scans and each resource group's logic apps cached) and every missing permission is warned
/// about once. Each call (<see cref="DiagnoseAsync"/>) reports to its own output.
/// </summary>
public sealed partial class ConnectorDiagnostician
{
    private readonly AzureSession _session;
    private readonly DiagnosisOptions _options;
    private readonly InventoryOptions _inventoryOptions;
    private readonly GraphBatcher _graph;
    private readonly RoleAccessReader _access;
    private readonly AsyncCache<string> _subscriptionTenants = new AsyncCache<string>();
    private readonly AsyncCache<IReadOnlyList<FailedAction>> _runScans = new AsyncCache<IReadOnlyList<FailedAction>>();
    private readonly ConcurrentDictionary<string, bool> _warned = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
    private ArmRestClient _arm;
    private IOperationSink _output;
    private CancellationToken _callCancellation;
    private int _armRequestsBefore;
    private int _connections;

    public ConnectorDiagnostician(AzureSession session, DiagnosisOptions? options = null)
    {
        _session = session;
        _options = options ?? new DiagnosisOptions();
        _inventoryOptions = new InventoryOptions(_options.UseResourceGraph) { MissingConnectionsAsRows = true };
        _graph = new GraphBatcher(_options.GraphBatchConcurrency);
        _output = NullSink.Instance;
        _arm = session.Arm(_output);

        // Role reads are cached across calls; each is made (and finished) within the call that first asks, through its client.
        _access = new RoleAccessReader(() => _arm);
    }

    public DiagnosisStatistics Statistics => new DiagnosisStatistics
    {
        Connections = Volatile.Read(ref _connections),
        ArmRequests = Volatile.Read(ref _armRequestsBefore) + _arm.Requests,
        GraphRequests = _graph.Requests,
        GraphLookups = _graph.Lookups,
    };

    /// <summary>Diagnoses every connection of a scope that <paramref name="filter"/> accepts (null: all).</summary>
    public Task DiagnoseAsync(ConnectionScope scope, Func<ConnectorStatus, bool>? filter, IOperationSink output, CancellationToken cancellationToken) =>
        RunAsync(output, cancellationToken, inventory => scope.ListAsync(inventory, cancellationToken), filter);

    /// <summary>Diagnoses what each id names (a connection, a workflow or Standard app's connections, a group, a subscription), several at once.</summary>
    public Task DiagnoseResourceIdsAsync(IReadOnlyList<string> resourceIds, Func<ConnectorStatus, bool>? filter, IOperationSink output, CancellationToken cancellationToken) =>
        RunAsync(output, cancellationToken, inventory => inventory.ListResourceIdsAsync(resourceIds, cancellationToken), filter);

    /// <summary>
    /// One call's worth of work: the inventory finds connections and hands each over with its document and its
    /// users; each is diagnosed concurrently and written as soon as its checks are done. Graph look-ups are held
    /// back in partial batches until no more can come.
    /// </summary>
    private async Task RunAsync(IOperationSink callOutput, CancellationToken cancellationToken, Func<ConnectorInventory, Task> list, Func<ConnectorStatus, bool>? filter)
    {
        BeginCall(callOutput, cancellationToken);
        var diagnoses = new List<Task>();
        var producing = _graph.Hold();
        try
        {
            var inventory = new ConnectorInventory(_session, callOutput, _inventoryOptions, filter, entry =>
            {
                var hold = _graph.Hold();
                var task = Task.Run(() => DiagnoseAsync(entry, hold, callOutput, cancellationToken));
                lock (diagnoses)
                {
                    diagnoses.Add(task);
                }
            }, _arm, Prefetch);
            await list(inventory).ConfigureAwait(false);
        }
        finally
        {
            producing.Dispose();
            Task[] all;
            lock (diagnoses)
            {
                all = diagnoses.ToArray();
            }

            try
            {
                await Task.WhenAll(all).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Each diagnosis reports its own failure.
            }

            var stats = Statistics;
            callOutput.WriteVerbose($"Diagnosed {stats.Connections} connection(s): {stats.ArmRequests} ARM request(s), " +
                $"{stats.GraphLookups} distinct Graph look-up(s) in {stats.GraphRequests} Graph request(s).");
        }
    }

    /// <summary>Points the clients at this call's output; the caches live on. Calls on one instance do not overlap.</summary>
    private void BeginCall(IOperationSink callOutput, CancellationToken cancellationToken)
    {
        _armRequestsBefore += _arm.Requests;
        _output = callOutput;
        _callCancellation = cancellationToken;
        _arm = _session.Arm(new RequestScope(callOutput, _options.Concurrency));
        _graph.BeginCall(_session.GraphPipeline == null ? null : new GraphClient(_session.GraphPipeline, _session.Cloud.GraphUrl, callOutput), cancellationToken);
    }

    private async Task DiagnoseAsync(InventoryEntry entry, IDisposable hold, IOperationSink callOutput, CancellationToken cancellationToken)
    {
        try
        {
            var diagnosis = await DiagnoseConnectionAsync(entry, hold, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _connections);
            callOutput.WriteObject(diagnosis);
        }
        catch (Exception e) when (!(e is OperationCanceledException))
        {
            callOutput.WriteError(ExceptionTranslator.Translate(e, entry.Status.ResourceId));
        }
        finally
        {
            hold.Dispose();
        }
    }

    private void Warn(string key, string message)
    {
        if (_warned.TryAdd(key, true))
        {
            _output.WriteWarning(message);
        }
    }
}
