using System;
using System.Management.Automation;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>The one place ErrorRecords are built: specific id, category from the failure kind, the resource as target.</summary>
internal static class ErrorRecordFactory
{
    public static ErrorRecord Create(LogicAppAuthException error) =>
        new ErrorRecord(error, error.ErrorId, CategoryFor(error.Kind), string.IsNullOrEmpty(error.Target) ? null : error.Target)
        {
            ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = "" },
        };

    public static ErrorRecord Create(Exception exception, string target) => Create(ExceptionTranslator.Translate(exception, target));

    public static ErrorRecord InvalidArgument(string errorId, string message, object? target) =>
        Create(new LogicAppAuthException(errorId, FailureKind.InvalidArgument, message, target?.ToString()));

    private static ErrorCategory CategoryFor(FailureKind kind)
    {
        switch (kind)
        {
            case FailureKind.AuthenticationError: return ErrorCategory.AuthenticationError;
            case FailureKind.PermissionDenied: return ErrorCategory.PermissionDenied;
            case FailureKind.ObjectNotFound: return ErrorCategory.ObjectNotFound;
            case FailureKind.ResourceExists: return ErrorCategory.ResourceExists;
            case FailureKind.ResourceUnavailable: return ErrorCategory.ResourceUnavailable;
            case FailureKind.InvalidArgument: return ErrorCategory.InvalidArgument;
            case FailureKind.ConnectionError: return ErrorCategory.ConnectionError;
            case FailureKind.SecurityError: return ErrorCategory.SecurityError;
            case FailureKind.InvalidOperation: return ErrorCategory.InvalidOperation;
            default: return ErrorCategory.NotSpecified;
        }
    }
}
