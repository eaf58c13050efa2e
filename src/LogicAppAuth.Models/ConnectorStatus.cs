using System;

namespace LogicAppAuth;

/// <summary>One API connection (Microsoft.Web/connections) and what uses it. Flat by contract: scalar properties only.</summary>
public sealed class ConnectorStatus
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public string Location { get; set; } = "";
    public string Kind { get; set; } = "";
    public string ApiName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public ConnectionStatus Status { get; set; }
    public string ErrorCode { get; set; } = "";
    public string ErrorMessage { get; set; } = "";
    public AuthenticationType AuthenticationType { get; set; }
    public string AuthenticatedUser { get; set; } = "";
    public string TenantId { get; set; } = "";
    public DateTimeOffset? CreatedTime { get; set; }
    public DateTimeOffset? ChangedTime { get; set; }
    public string UsedBy { get; set; } = "";
    public int UsedByCount { get; set; }
    public bool Exists { get; set; } = true;
}

public enum ConnectionStatus
{
    Unknown,
    Connected,
    Error,
    NotFound,
}

public enum AuthenticationType
{
    Unknown,
    OAuth,
    ManagedIdentity,
    ServicePrincipal,
    Key,
    None,

    /// <summary>A shared access signature (a connection string with a SharedAccessSignature and its se= expiry).</summary>
    SharedAccessSignature,
}
