using System;
using System.Collections.Generic;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.LogicApps
{
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
        public string ConnectionId { get; set; } = "";

        /// <summary>The entry's key in <c>$connections</c> or <c>managedApiConnections</c>.</summary>
        public string ReferenceName { get; set; } = "";

        public string ApiId { get; set; } = "";

        public string ApiName => AzureResourceId.LastSegment(ApiId);

        /// <summary>The reference's authentication type: "ManagedServiceIdentity", "Raw", "ActiveDirectoryOAuth", or "".</summary>
        public string AuthenticationType { get; set; } = "";

        /// <summary>The user-assigned identity the reference names, or "" for the system-assigned one.</summary>
        public string AuthenticationIdentity { get; set; } = "";

        public LogicAppIdentity Identity { get; set; } = LogicAppIdentity.None;

        /// <summary>Action and trigger name → reference name, for attributing failed actions to connections.</summary>
        public IReadOnlyDictionary<string, string> ActionReferences { get; set; } = new Dictionary<string, string>();

        /// <summary>How many connection references the logic app has (a failed action that names none is attributed only when there is one).</summary>
        public int ReferenceCount { get; set; } = 1;

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
}
