using System;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Connectors;

/// <summary>
/// What each managed API (connector) says about its sign-in, from its own metadata
/// (<c>{subscription}/providers/Microsoft.Web/locations/{location}/managedApis/{api}</c>), read once per API and
/// location for a whole cmdlet invocation. A connector whose metadata cannot be read gives null, and callers fall
/// back to the names the connectors are known to use.
/// </summary>
internal sealed class ConnectorCatalog
{
    private readonly AsyncCache<ConnectorShape?> _shapes = new AsyncCache<ConnectorShape?>();

    /// <summary>The shape of the connector a connection's <c>api.id</c> names; null when the id names none or its metadata is not readable.</summary>
    public Task<ConnectorShape?> ShapeAsync(ArmRestClient arm, string apiId, CancellationToken cancellationToken)
    {
        var id = (apiId ?? "").TrimEnd('/');
        if (id.IndexOf("/managedApis/", StringComparison.OrdinalIgnoreCase) < 0 || !id.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult<ConnectorShape?>(null);
        }

        var key = id.Substring(id.IndexOf("/providers/", StringComparison.OrdinalIgnoreCase)).ToLowerInvariant();
        return _shapes.GetAsync(key, async () =>
        {
            try
            {
                using var document = await arm.GetAsync($"{id}?api-version={ApiVersions.Connections}", id, cancellationToken).ConfigureAwait(false);
                return ConnectorShape.Read(JsonEdit.ToObject(document));
            }
            catch (LogicAppAuthException e) when (e.HttpStatus >= 400 && e.HttpStatus != 401)
            {
                return null;
            }
        });
    }
}
