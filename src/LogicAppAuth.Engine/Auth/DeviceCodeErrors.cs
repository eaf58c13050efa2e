using System;
using Azure.Identity;
using LogicAppAuth.Engine.Errors;
using Microsoft.Identity.Client;

namespace LogicAppAuth.Engine.Auth;

/// <summary>The ways a device-code sign-in ends without a token, as errors that say what to do next.</summary>
internal static class DeviceCodeErrors
{
    private const string AgainHint = "Run Connect-LogicAppAuth -UseDeviceAuthentication again";

    /// <summary>Entra's answer that ended the wait (declined, expired), or null when the failure is not one of those.</summary>
    public static LogicAppAuthException? Recognize(AuthenticationFailedException failed, string target)
    {
        switch (FindMsalErrorCode(failed))
        {
            case "authorization_declined":
                return new LogicAppAuthException("DeviceCodeDeclined", FailureKind.AuthenticationError,
                    $"The sign-in was declined on the device login page. {AgainHint} and approve the request, or choose another way to sign in.", target, failed);
            case "expired_token":
            case "code_expired":
                return new LogicAppAuthException("DeviceCodeExpired", FailureKind.AuthenticationError,
                    $"The device code expired before anyone signed in with it (a code is valid for 15 minutes). {AgainHint} and enter the new code promptly.",
                    target, failed);
            default:
                return null;
        }
    }

    /// <summary>A later request needed the person again (the session's refresh token no longer works); the module never prompts outside Connect.</summary>
    public static LogicAppAuthException SignInRequired(AuthenticationRequiredException required, string target) =>
        new LogicAppAuthException("DeviceCodeSignInRequired", FailureKind.AuthenticationError,
            $"The device-code sign-in of this session can no longer be renewed without you. {AgainHint}.", target, required);

    private static string FindMsalErrorCode(Exception exception)
    {
        for (Exception? current = exception; current != null; current = current.InnerException)
        {
            if (current is MsalException msal)
            {
                return msal.ErrorCode ?? "";
            }
        }

        return "";
    }
}
