using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Writes that Azure may finish later: a PATCH or PUT of a resource the scenario lists under <c>asyncWrites</c> is
/// answered <c>202 Accepted</c> with <c>Azure-AsyncOperation</c> and <c>Location</c>, as Microsoft.Web answers a
/// site update (UpdateWebApp.json). Until its operation has been polled <see cref="PollsUntilDone"/> times the
/// resource reads as accepted but unfinished (an enabled identity has no principalId yet); then the operation
/// answers <c>Succeeded</c> and the resource reads as written.
/// </summary>
public sealed class AsyncWrites
{
    public const int PollsUntilDone = 2;

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.OrdinalIgnoreCase);

    private sealed class Pending(JsonObject final, string resourceId)
    {
        public JsonObject Final { get; } = final;
        public string ResourceId { get; } = resourceId;
        public int Polls;
    }

    public static bool AppliesTo(SandboxState state, string resourceId) =>
        state.Scenario.AsyncWrites.Any(id => ArmPath.Normalize(id).Equals(ArmPath.Normalize(resourceId), StringComparison.OrdinalIgnoreCase));

    /// <summary>Stores the unfinished state, remembers the final one, and answers 202 with the operation's addresses.</summary>
    public IResult Accept(HttpContext context, SandboxState state, ArmPath path, JsonObject final)
    {
        var unfinished = (JsonObject)final.DeepClone();
        if (unfinished["identity"] is JsonObject identity)
        {
            identity.Remove("principalId");
            identity.Remove("tenantId");
        }

        state.Store.Put(unfinished);
        var operation = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        _pending[operation] = new Pending(final, path.Path);
        // As ARM writes a location in a path: "West Europe" becomes westeurope.
        var location = ((string?)final["location"] ?? "westeurope").Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        var apiVersion = context.Request.Query["api-version"].ToString();
        var status = $"{baseUrl}/subscriptions/{path.SubscriptionId}/providers/Microsoft.Web/locations/{location}/operations/{operation}?api-version={apiVersion}";
        context.Response.Headers["Azure-AsyncOperation"] = status;
        context.Response.Headers.Location = status.Replace("/operations/", "/operationResults/", StringComparison.Ordinal);
        context.Response.Headers.RetryAfter = "1";
        return Results.StatusCode(202);
    }

    /// <summary><c>GET …/providers/Microsoft.Web/locations/{loc}/operations|operationResults/{id}</c>.</summary>
    public IResult? TryPoll(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || path.Segments.Length != 8
            || !path.Segments[4].Equals("locations", StringComparison.OrdinalIgnoreCase)
            || !(path.Segments[6].Equals("operations", StringComparison.OrdinalIgnoreCase) || path.Segments[6].Equals("operationResults", StringComparison.OrdinalIgnoreCase))
            || ArmRoutes.ProviderIndex(path, "Microsoft.Web") != 2)
        {
            return null;
        }

        if (!_pending.TryGetValue(path.Segments[7], out var pending))
        {
            return ArmErrors.Error(404, "OperationNotFound", $"The operation '{path.Segments[7]}' was not found.");
        }

        if (ArmRoutes.Authorize(state, caller, "Microsoft.Web/sites/read", pending.ResourceId) is { } denied)
        {
            return denied;
        }

        if (Interlocked.Increment(ref pending.Polls) < PollsUntilDone)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Json(new JsonObject { ["status"] = "InProgress" });
        }

        state.Store.Put((JsonObject)pending.Final.DeepClone());
        return Results.Json(new JsonObject { ["status"] = "Succeeded" });
    }
}
