namespace LogicAppAuth.Engine.Errors;

/// <summary>What went wrong, independent of PowerShell; the cmdlet layer maps it to an ErrorCategory.</summary>
public enum FailureKind
{
    Unspecified,
    AuthenticationError,
    PermissionDenied,
    ObjectNotFound,
    ResourceExists,
    ResourceUnavailable,
    InvalidArgument,
    ConnectionError,
    SecurityError,
    InvalidOperation,
}
