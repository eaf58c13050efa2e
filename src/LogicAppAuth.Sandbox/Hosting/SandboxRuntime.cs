using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>
/// Mutable state of a running sandbox beyond the document store: which run histories are seeded,
/// its own HTTPS base address (service-emitted links point at it) and the OAuth consent flow's
/// pending states and issued codes.
/// </summary>
public sealed class SandboxRuntime
{
    private const string AzureManagementHost = "https://management.azure.com:443";
    private const string AzureManagementHostNoPort = "https://management.azure.com";

    private readonly ConcurrentDictionary<string, PendingConsent> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _seededRunHistories = new(StringComparer.OrdinalIgnoreCase);
    private int _localized;

    /// <summary>True the first time a workflow's run history is claimed for seeding.</summary>
    public bool MarkRunHistorySeeded(string workflowId) => _seededRunHistories.TryAdd(ArmPath.Normalize(workflowId), true);

    /// <summary>https://127.0.0.1:PORT once the first HTTPS request has been seen.</summary>
    public string? BaseUrl { get; private set; }

    public sealed record PendingConsent(string ConnectionId, string? RedirectUrl, string? ObjectId, string? TenantId);

    /// <summary>On the first HTTPS request: remember the sandbox's address and point every connection's
    /// testLinks/testRequests (which Azure emits with its own host) at the sandbox.</summary>
    public void Localize(SandboxState state, HttpContext context)
    {
        if (!context.Request.IsHttps || Interlocked.Exchange(ref _localized, 1) == 1)
        {
            return;
        }

        BaseUrl = $"https://{context.Request.Host}";
        foreach (var connection in state.Store.OfType("Microsoft.Web/connections").ToList())
        {
            if (LocalizeLinks(connection, BaseUrl))
            {
                state.Store.Put(connection);
            }
        }

        // The scenario's own copies too, so that what it says and what the store serves agree.
        foreach (var resource in state.Scenario.Resources)
        {
            if (string.Equals((string?)resource["type"], "Microsoft.Web/connections", StringComparison.OrdinalIgnoreCase))
            {
                LocalizeLinks(resource, BaseUrl);
            }
        }
    }

    /// <summary>Rewrites the host of testLinks/testRequests; true when something changed.</summary>
    public static bool LocalizeLinks(JsonObject connection, string baseUrl)
    {
        var changed = false;
        foreach (var name in new[] { "testLinks", "testRequests" })
        {
            if (connection["properties"]?[name] is not JsonArray links)
            {
                continue;
            }

            foreach (var link in links.OfType<JsonObject>())
            {
                var uri = (string?)link["requestUri"];
                foreach (var host in new[] { AzureManagementHost, AzureManagementHostNoPort })
                {
                    if (uri is not null && uri.StartsWith(host + "/", StringComparison.OrdinalIgnoreCase))
                    {
                        link["requestUri"] = baseUrl + uri[host.Length..];
                        changed = true;
                        break;
                    }
                }
            }
        }

        return changed;
    }

    public string BeginConsent(string connectionId, string? redirectUrl, string? objectId, string? tenantId)
    {
        var state = NewToken();
        _pending[state] = new PendingConsent(connectionId, redirectUrl, objectId, tenantId);
        return state;
    }

    /// <summary>The consent page: the user "signs in" and the sandbox issues a code for the connection.</summary>
    public (string Code, PendingConsent Consent)? CompleteConsent(string state)
    {
        if (!_pending.TryRemove(state, out var consent))
        {
            return null;
        }

        var code = "sbx-" + NewToken();
        _codes[code] = consent.ConnectionId;
        return (code, consent);
    }

    /// <summary>True (once) when <paramref name="code"/> was issued for this connection.</summary>
    public bool RedeemCode(string connectionId, string code) =>
        _codes.TryGetValue(code, out var issuedFor)
        && ArmPath.Normalize(issuedFor).Equals(ArmPath.Normalize(connectionId), StringComparison.OrdinalIgnoreCase)
        && _codes.TryRemove(code, out _);

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
