using System;
using System.Collections.Generic;

namespace LogicAppAuth.Engine.Errors;

/// <summary>
/// A failure the user can act on: a PascalCase error id, its kind, the resource it concerns and a
/// message that says what to do. Messages never contain tokens or secrets.
/// </summary>
public class LogicAppAuthException : Exception
{
    private static readonly HashSet<string> CallerTokenRefusals = new HashSet<string>(StringComparer.Ordinal)
    {
        "ExpiredAuthenticationToken", "InvalidAuthenticationToken", "InvalidAuthenticationTokenTenant",
    };

    private static readonly HashSet<string> SessionWideFailures = new HashSet<string>(StringComparer.Ordinal)
    {
        "NoCredentialAvailable", "AuthenticationFailed", "ExpiredAuthenticationToken", "InvalidAuthenticationToken", "TlsValidationFailed", "DeviceCodeSignInRequired",
    };

    public LogicAppAuthException(string errorId, FailureKind kind, string message, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target ?? "";
    }

    public string ErrorId { get; }
    public FailureKind Kind { get; }
    public string Target { get; }
    public int? HttpStatus { get; set; }

    /// <summary>A failure no later input can avoid (the session's credential, or TLS trust): it stops the whole cmdlet call instead of repeating per item.</summary>
    public bool IsSessionWide => SessionWideFailures.Contains(ErrorId);

    /// <summary>The service refused the caller's own token (not a connection's): expired, invalid, or from another tenant than the resource's.</summary>
    public bool IsCallerTokenRefused => CallerTokenRefusals.Contains(ErrorId);
}
