using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Graph;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Expiry;

/// <summary>
/// Finds credentials that have expired or expire soon: secrets and certificates of every app registration and service
/// principal (Microsoft Graph, whole collections at 999 a page), and the refresh tokens of OAuth connections in the
/// connection scope (estimated). Each credential is linked to the connections that sign in with its app
/// (<c>token:clientId</c>). Graph and the connection scan run at the same time; rows are sorted by end date.
/// </summary>
public sealed class ExpiringCredentialScanner
{
    private const int AppIdsPerFilter = 15;
    private readonly AzureSession _session;
    private readonly IOperationSink _sink;
    private readonly ExpiringCredentialOptions _options;
    private readonly CredentialWindow _window;
    private readonly ArmRestClient _arm;
    private GraphClient? _graph;

    public ExpiringCredentialScanner(AzureSession session, IOperationSink sink, ExpiringCredentialOptions options)
    {
        _session = session;
        _sink = sink;
        _options = options;
        _window = new CredentialWindow(options.Now ?? DateTimeOffset.UtcNow, options.WithinDays, options.ExcludeExpired);
        _arm = session.Arm(sink);
    }

    /// <summary>The connections read from the scope by the last run (every one, missing ones included, whether or not it is linked to a row).</summary>
    public IReadOnlyList<ConnectorStatus> Connections { get; private set; } = Array.Empty<ConnectorStatus>();

    /// <summary>The connections of the last run as the inventory found them, with the logic apps that use them.</summary>
    internal IReadOnlyList<InventoryEntry> Entries { get; private set; } = Array.Empty<InventoryEntry>();

    /// <summary>Every app credential the last run read from Graph, before the window was applied, by app id (lower case).</summary>
    internal IReadOnlyDictionary<string, List<ExpiringCredential>> CredentialsByAppId { get; private set; } = new Dictionary<string, List<ExpiringCredential>>();

    /// <summary>Connection resource id → the app id it signs in as (service-principal connections).</summary>
    public IReadOnlyDictionary<string, string> ConnectionClientIds { get; private set; } = new Dictionary<string, string>();

    /// <summary>Graph requests sent by the last run.</summary>
    public int GraphRequests => _graph?.RequestsSent ?? 0;

    public CredentialWindow Window => _window;

    /// <summary>Lists and writes the rows, sorted by EndDateTime.</summary>
    public async Task ScanAsync(IReadOnlyList<ConnectionScope> scopes, CancellationToken cancellationToken)
    {
        foreach (var row in await CollectAsync(scopes, cancellationToken).ConfigureAwait(false))
        {
            _sink.WriteObject(row);
        }
    }

    /// <summary>The rows in the window, sorted by EndDateTime; nothing is written but errors, warnings and progress.</summary>
    public async Task<IReadOnlyList<ExpiringCredential>> CollectAsync(IReadOnlyList<ConnectionScope> scopes, CancellationToken cancellationToken)
    {
        var wantsAppCredentials = _options.Wants(CredentialKind.Secret) || _options.Wants(CredentialKind.Certificate);
        var credentials = wantsAppCredentials ? ReadGraphAsync(cancellationToken) : Task.FromResult(new List<ExpiringCredential>());
        var connections = _options.ScanConnections ? ReadConnectionsAsync(scopes, cancellationToken) : Task.FromResult(new List<InventoryEntry>());
        await Task.WhenAll(credentials, connections).ConfigureAwait(false);
        Entries = connections.Result;
        Connections = Entries.Select(e => e.Status).ToList();

        var appRows = credentials.Result;
        var clientIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var oauthRows = new List<ExpiringCredential>();
        if (Connections.Count > 0)
        {
            clientIds = ClientIds(Entries);
            oauthRows = _options.Wants(CredentialKind.OAuthConsent) ? await EstimateOAuthAsync(Entries, cancellationToken).ConfigureAwait(false) : oauthRows;
        }

        ConnectionClientIds = clientIds;
        Link(appRows, clientIds);
        CredentialsByAppId = appRows.GroupBy(r => r.AppId.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.ToList());

        var kept = appRows.Concat(oauthRows).Concat(SignatureRows(Entries))
            .Where(r => _options.Wants(r.Kind) && _window.Keeps(r.EndDateTime, r.Expired) && _options.Filter(r));
        return ApplicationCredentials.Sort(kept);
    }

    private async Task<List<ExpiringCredential>> ReadGraphAsync(CancellationToken cancellationToken)
    {
        var rows = new List<ExpiringCredential>();
        if (_session.GraphPipeline == null)
        {
            _sink.WriteError(new LogicAppAuthException("NoGraphCredential", FailureKind.AuthenticationError,
                "The session has no Microsoft Graph credential, so app registration secrets and certificates were not read. " +
                "Sign in with a method that covers Graph, or pass -MicrosoftGraphAccessToken to Connect-LogicAppAuth.", "/applications"));
            return rows;
        }

        _graph = new GraphClient(_session.GraphPipeline, _session.Cloud.GraphUrl, _sink);
        var listing = new GraphListing(_graph, _session.Cloud.GraphUrl);
        var filters = AppIdFilters();
        int objects = 0;
        Action<JsonElement> reader(string source) => item =>
        {
            var read = ApplicationCredentials.Read(item, source).Select(r => ApplicationCredentials.Stamp(r, _window)).ToList();
            int seen = Interlocked.Increment(ref objects);
            lock (rows)
            {
                rows.AddRange(read);
            }

            if (seen % 5000 == 0)
            {
                _sink.WriteProgress(new OperationProgress(2, "Reading app credentials from Microsoft Graph", $"{seen} applications and service principals"));
            }
        };

        var lists = new List<Task>();
        foreach (var filter in filters)
        {
            lists.Add(ListCollectionAsync(listing, "applications", ApplicationCredentials.ApplicationSelect, filter, reader("Application"), cancellationToken));
            lists.Add(ListCollectionAsync(listing, "servicePrincipals", ApplicationCredentials.ServicePrincipalSelect, filter, reader("ServicePrincipal"), cancellationToken));
        }

        await Task.WhenAll(lists).ConfigureAwait(false);
        _sink.WriteProgress(new OperationProgress(2, "Reading app credentials from Microsoft Graph", "Done", completed: true));
        _sink.WriteVerbose($"Microsoft Graph: {objects} applications and service principals in {listing.Pages} pages, {rows.Count} credentials with an end date.");
        return rows;
    }

    private async Task ListCollectionAsync(GraphListing listing, string collection, string[] select, string? filter, Action<JsonElement> onItem, CancellationToken cancellationToken)
    {
        try
        {
            await listing.ListAsync(GraphListing.FirstPage(collection, select, filter), onItem, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e)
        {
            _sink.WriteError(e);
        }
    }

    /// <summary>One listing with no filter, or one per chunk of exact app ids (Graph's <c>in</c> takes a bounded list).</summary>
    private IReadOnlyList<string?> AppIdFilters()
    {
        var ids = _options.ExactAppIds.Where(id => Guid.TryParse(id, out _)).Select(id => Guid.Parse(id).ToString("D")).Distinct().ToList();
        if (ids.Count == 0 || ids.Count != _options.ExactAppIds.Count)
        {
            return new string?[] { null };
        }

        var filters = new List<string?>();
        for (int i = 0; i < ids.Count; i += AppIdsPerFilter)
        {
            filters.Add("appId in (" + string.Join(",", ids.Skip(i).Take(AppIdsPerFilter).Select(id => "'" + id + "'")) + ")");
        }

        return filters;
    }

    private async Task<List<InventoryEntry>> ReadConnectionsAsync(IReadOnlyList<ConnectionScope> scopes, CancellationToken cancellationToken)
    {
        var found = new List<InventoryEntry>();
        var inventoryOptions = new InventoryOptions(_options.UseResourceGraph);
        var inventory = new ConnectorInventory(_session, _sink, inventoryOptions, _options.ConnectionFilter, entry =>
        {
            lock (found)
            {
                found.Add(entry);
            }
        });
        foreach (var scope in scopes)
        {
            try
            {
                await scope.ListAsync(inventory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                _sink.WriteError(ExceptionTranslator.Translate(e, scope.Description));
            }
        }

        var distinct = found.GroupBy(c => c.Status.ResourceId, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();
        _sink.WriteVerbose($"Connections in scope: {distinct.Count} ({distinct.Count(c => c.Status.AuthenticationType == AuthenticationType.ServicePrincipal)} service principal, " +
            $"{distinct.Count(c => c.Status.AuthenticationType == AuthenticationType.OAuth)} OAuth).");
        return distinct;
    }

    /// <summary>The shared access signatures in Standard apps' built-in connections that have an se= end, one row per connection.</summary>
    private IEnumerable<ExpiringCredential> SignatureRows(IEnumerable<InventoryEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Facts.BuiltIn is LogicApps.BuiltInConnection connection && connection.Secret?.SignatureExpiry is DateTimeOffset end)
            {
                yield return ApplicationCredentials.Stamp(new ExpiringCredential
                {
                    ResourceId = connection.ResourceId,
                    SubscriptionId = entry.Status.SubscriptionId,
                    ResourceGroupName = entry.Status.ResourceGroupName,
                    Name = connection.Name,
                    Kind = CredentialKind.SharedAccessSignature,
                    Source = "BuiltInConnection",
                    DisplayName = connection.Name,
                    ApiName = connection.Provider,
                    EndDateTime = end,
                    UsedBy = connection.Name,
                    UsedByCount = 1,
                    UsedByResourceId = connection.ResourceId,
                    Detail = $"se= of the connection string in app setting {string.Join(", ", connection.Settings)} of Standard app {connection.AppName}" +
                        (entry.Status.UsedBy.Length > 0 ? $"; called by {entry.Status.UsedBy.Replace(";", ", ")}" : ""),
                }, _window);
            }
        }
    }

    /// <summary>token:clientId of every service-principal connection, as the inventory read it.</summary>
    private static Dictionary<string, string> ClientIds(IEnumerable<InventoryEntry> entries) =>
        entries.Where(e => e.Facts.Exists && e.Status.AuthenticationType == AuthenticationType.ServicePrincipal && e.Facts.ClientId.Length > 0)
            .ToDictionary(e => e.Status.ResourceId, e => e.Facts.ClientId, StringComparer.OrdinalIgnoreCase);

    private void Link(IEnumerable<ExpiringCredential> rows, IReadOnlyDictionary<string, string> clientIds)
    {
        var byApp = clientIds
            .GroupBy(p => p.Value, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(
                g => g.Key,
                g => Connections.Where(c => g.Any(p => string.Equals(p.Key, c.ResourceId, StringComparison.OrdinalIgnoreCase)))
                    .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.ResourceId, StringComparer.OrdinalIgnoreCase).ToList(),
                StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows)
        {
            if (row.AppId.Length > 0 && byApp.TryGetValue(row.AppId, out var users) && users.Count > 0)
            {
                row.UsedBy = string.Join(";", users.Select(u => u.Name));
                row.UsedByResourceId = string.Join(";", users.Select(u => u.ResourceId));
                row.UsedByCount = users.Count;
            }
        }
    }

    private async Task<List<ExpiringCredential>> EstimateOAuthAsync(IReadOnlyList<InventoryEntry> entries, CancellationToken cancellationToken)
    {
        var oauth = entries.Where(e => OAuthConsentEstimate.Applies(e.Status)).ToList();
        var runs = new ConcurrentDictionary<string, Lazy<Task<DateTimeOffset?>>>(StringComparer.OrdinalIgnoreCase);
        var rows = new ConcurrentBag<ExpiringCredential>();
        await Concurrency.ForEachAsync(oauth, async entry =>
        {
            var connection = entry.Status;
            DateTimeOffset? lastRun = null;
            var lastWorkflow = "";
            if (_options.ReadRunHistory)
            {
                foreach (var workflow in entry.References.Where(r => !r.IsStandardApp).GroupBy(r => r.ResourceId, StringComparer.OrdinalIgnoreCase))
                {
                    var run = await runs.GetOrAdd(workflow.Key, id => new Lazy<Task<DateTimeOffset?>>(() => LastSuccessfulRunAsync(id, cancellationToken))).Value
                        .ConfigureAwait(false);
                    if (run is DateTimeOffset time && (lastRun == null || time > lastRun))
                    {
                        lastRun = time;
                        lastWorkflow = workflow.First().Name;
                    }
                }
            }

            if (OAuthConsentEstimate.Create(connection, lastRun, lastWorkflow, _window) is ExpiringCredential row)
            {
                rows.Add(row);
            }
        }, cancellationToken).ConfigureAwait(false);
        return rows.ToList();
    }

    /// <summary>
    /// The start of the newest successful run of a Consumption workflow (runs are listed newest first); null when it
    /// has none or cannot be read.
    /// </summary>
    private async Task<DateTimeOffset?> LastSuccessfulRunAsync(string workflowId, CancellationToken cancellationToken)
    {
        try
        {
            using var page = await _arm.GetAsync($"{workflowId}/runs?api-version={ApiVersions.Workflows}&$top=1&$filter=status%20eq%20'Succeeded'", workflowId, cancellationToken)
                .ConfigureAwait(false);
            DateTimeOffset? newest = null;
            if (Json.Path(page.RootElement, "value") is JsonElement items && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var run in items.EnumerateArray())
                {
                    if (string.Equals(Json.String(run, "properties", "status"), "Succeeded", StringComparison.OrdinalIgnoreCase)
                        && Json.Date(run, "properties", "startTime") is DateTimeOffset start && (newest == null || start > newest))
                    {
                        newest = start;
                    }
                }
            }

            return newest;
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403 || e.HttpStatus == 400)
        {
            _sink.WriteVerbose($"Run history of {workflowId} not readable ({e.ErrorId}); the estimate uses changedTime.");
            return null;
        }
    }
}
