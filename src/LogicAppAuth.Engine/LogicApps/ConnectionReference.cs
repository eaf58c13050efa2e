using System;
using System.Collections.Generic;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>
/// A logic app's use of one API connection: a Consumption workflow's <c>$connections</c> entry or a Standard app's
/// <c>managedApiConnections</c> entry, with how the app authenticates to it.
/// </summary>
internal sealed class ConnectionReference
{
    /// <summary>The logic app's resource id (workflow or site).</summary>
    public string ResourceId { get; set; } = "";

    /// <summary>The logic app's name.</summary>
    public string Name { get; set; } = "";

    public bool IsStandardApp { get; set; }
    /// <summary>The connection's resource id; "" when connections.json names it through a value that could not be read.</summary>
    public string ConnectionId { get; set; } = "";

    /// <summary>
    /// Why <see cref="ConnectionId"/> is not known ("" when it is). Such a reference is matched to a connection by
    /// <see cref="ConnectionName"/> within the logic app's subscription.
    /// </summary>
    public string Unresolved { get; set; } = "";

    /// <summary>The connection's name, the last segment of its id as written.</summary>
    public string ConnectionName { get; set; } = "";

    /// <summary>The logic app's subscription.</summary>
    public string SubscriptionId => AzureResourceId.SubscriptionOf(ResourceId);

    /// <summary>The entry's key in <c>$connections</c> or <c>managedApiConnections</c>.</summary>
    public string ReferenceName { get; set; } = "";

    public string ApiId { get; set; } = "";

    public string ApiName => AzureResourceId.LastSegment(ApiId);

    /// <summary>The reference's authentication type: "ManagedServiceIdentity", "Raw", "ActiveDirectoryOAuth", or "".</summary>
    public string AuthenticationType { get; set; } = "";

    /// <summary>Why the authentication could not be resolved (an app setting or parameters.json not readable), or "".</summary>
    public string AuthenticationUnresolved { get; set; } = "";

    /// <summary>The parameters.json parameter the authentication is taken from (<c>@parameters('NAME')</c>), or "".</summary>
    public string AuthenticationParameter { get; set; } = "";

    /// <summary>The user-assigned identity the reference names, or "" for the system-assigned one.</summary>
    public string AuthenticationIdentity { get; set; } = "";

    public LogicAppIdentity Identity { get; set; } = LogicAppIdentity.None;

    /// <summary>Action and trigger name → reference name, for attributing failed actions to connections.</summary>
    public IReadOnlyDictionary<string, string> ActionReferences { get; set; } = new Dictionary<string, string>();

    /// <summary>How many connection references the logic app has (a failed action that names none is attributed only when there is one).</summary>
    public int ReferenceCount { get; set; } = 1;

    /// <summary>For a built-in connection: a trigger of the workflow calls it (it receives from its target).</summary>
    public bool CalledByTrigger { get; set; }

    /// <summary>For a built-in connection: an action of the workflow calls it (it mostly sends to its target).</summary>
    public bool CalledByAction { get; set; }

    public bool UsesManagedIdentity => string.Equals(AuthenticationType, "ManagedServiceIdentity", StringComparison.OrdinalIgnoreCase);

    public string Kind => IsStandardApp ? "Standard app" : "workflow";

    /// <summary>The principal the reference uses, or "" when the app lacks that identity.</summary>
    public string PrincipalId()
    {
        if (AuthenticationIdentity.Length > 0)
        {
            return Identity.UserAssigned.TryGetValue(AuthenticationIdentity.TrimEnd('/'), out var principal) ? principal : "";
        }

        return Identity.HasSystemAssigned ? Identity.PrincipalId : "";
    }

    public string IdentityLabel() => AuthenticationIdentity.Length > 0
        ? "user-assigned identity " + AzureResourceId.LastSegment(AuthenticationIdentity)
        : "system-assigned identity";

    /// <summary>True when a failed action of this logic app was a call through this reference.</summary>
    public bool Made(string actionName) =>
        ActionReferences.TryGetValue(actionName, out var reference)
            ? string.Equals(reference, ReferenceName, StringComparison.OrdinalIgnoreCase)
            : ReferenceCount == 1;
}
