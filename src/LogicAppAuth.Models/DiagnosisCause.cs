namespace LogicAppAuth;

/// <summary>
/// Why a connection fails to authenticate (DESIGN §6, contract). The order of precedence, used to pick
/// <see cref="ConnectorDiagnosis.Cause"/> when several apply, is not the declaration order: see the engine's CausePrecedence.
/// </summary>
public enum DiagnosisCause
{
    None,
    ConsentMissing,
    OAuthTokenExpired,
    OAuthTokenRevoked,
    ConnectionDeleted,
    UserAccountDisabled,
    UserNotFound,
    ManagedIdentityNotAssigned,
    AccessPolicyMissing,
    PermissionMissing,
    CertificateExpired,
    SecretExpired,
    WrongTenant,
    Unknown,

    /// <summary>A built-in connection names an app setting that is absent or empty.</summary>
    AppSettingMissing,

    /// <summary>A built-in connection's key matches neither current key of its authorization rule or account (-CheckKeys).</summary>
    KeyRotated,
}

/// <summary>How urgent a diagnosis is: None (healthy), Warning (at risk, or not proven either way), Error (broken).</summary>
public enum DiagnosisSeverity
{
    None,
    Warning,
    Error,
}
