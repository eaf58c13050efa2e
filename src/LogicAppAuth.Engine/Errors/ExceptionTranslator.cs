using System;
using System.Security.Authentication;
using Azure;
using Azure.Identity;

namespace LogicAppAuth.Engine.Errors;

/// <summary>Maps what the Azure SDK throws to the module's actionable errors, without stack traces or tokens.</summary>
public static class ExceptionTranslator
{
    public static LogicAppAuthException Translate(Exception exception, string target)
    {
        switch (exception)
        {
            case LogicAppAuthException known:
                return known;
            case AuthenticationRequiredException required:
                return Auth.DeviceCodeErrors.SignInRequired(required, target);
            case CredentialUnavailableException unavailable:
                return new LogicAppAuthException("NoCredentialAvailable", FailureKind.AuthenticationError,
                    "No credential was found to sign in to Azure. Run Connect-LogicAppAuth first (for example with -Identity in Azure Automation, " +
                    "-ServicePrincipal in CI, or after 'az login'). Details: " + FirstLine(unavailable.Message), target, unavailable);
            case AuthenticationFailedException failed when Auth.DeviceCodeErrors.Recognize(failed, target) is LogicAppAuthException deviceCode:
                return deviceCode;
            case AuthenticationFailedException failed when HasInner<System.Net.Http.HttpRequestException>(failed) || HasInner<AuthenticationException>(failed):
                return Connectivity(failed, target);
            case AuthenticationFailedException failed:
                return new LogicAppAuthException("AuthenticationFailed", FailureKind.AuthenticationError,
                    "Signing in to Microsoft Entra ID failed. Check the tenant id, client id and secret or certificate (and that the secret has not expired). " +
                    "Details: " + ChainDetails(failed), target, failed);
            case RequestFailedException request when request.Status == 0:
                return Connectivity(request, target);
            case AuthenticationException tls:
                return Connectivity(tls, target);
            case RequestFailedException request:
                return new LogicAppAuthException(string.IsNullOrEmpty(request.ErrorCode) ? "ArmRequestFailed" : request.ErrorCode!,
                    Arm.ArmErrors.KindFor(request.Status), FirstLine(request.Message), target, request) { HttpStatus = request.Status };
            case OperationCanceledException canceled:
                return new LogicAppAuthException("OperationCanceled", FailureKind.Unspecified, "The operation was canceled.", target, canceled);
            default:
                return new LogicAppAuthException("UnexpectedFailure", FailureKind.Unspecified, FirstLine(exception.Message), target, exception);
        }
    }

    private static LogicAppAuthException Connectivity(Exception exception, string target)
    {
        var detail = InnermostMessage(exception);
        bool tls = detail.IndexOf("certificate", StringComparison.OrdinalIgnoreCase) >= 0
            || detail.IndexOf("SSL", StringComparison.OrdinalIgnoreCase) >= 0
            || exception is AuthenticationException;
        return tls
            ? new LogicAppAuthException("TlsValidationFailed", FailureKind.SecurityError,
                "The server's TLS certificate is not trusted, so nothing was sent. For a private endpoint or Azure Stack Hub, pass its certificate (or CA) with " +
                "Connect-LogicAppAuth -TrustedCertificatePath <pem>. Details: " + detail, target, exception)
            : new LogicAppAuthException("ConnectionFailed", FailureKind.ConnectionError,
                "Could not reach the service. Check the network and the -ResourceManagerUrl / -GraphUrl given to Connect-LogicAppAuth. Details: " + detail, target, exception);
    }

    private static bool HasInner<T>(Exception exception) where T : Exception
    {
        for (var current = exception.InnerException; current != null; current = current.InnerException)
        {
            if (current is T)
            {
                return true;
            }
        }

        return false;
    }

    private static string InnermostMessage(Exception exception)
    {
        var current = exception;
        while (current.InnerException != null)
        {
            current = current.InnerException;
        }

        return FirstLine(current.Message);
    }

    /// <summary>
    /// Azure.Identity's own message only names the credential; Entra's answer (the AADSTS code and text) is in the
    /// inner exceptions. Their messages are joined on one line.
    /// </summary>
    private static string ChainDetails(Exception exception)
    {
        var parts = new System.Collections.Generic.List<string>();
        for (var current = exception; current != null; current = current.InnerException)
        {
            var text = System.Text.RegularExpressions.Regex.Replace(current.Message, @"\s+", " ").Trim();
            if (text.Length > 0 && !parts.Exists(p => p.Contains(text)))
            {
                parts.Add(text);
            }
        }

        var joined = string.Join(" ", parts);
        return joined.Length <= 600 ? joined : joined.Substring(0, 600) + "...";
    }

    private static string FirstLine(string message)
    {
        var trimmed = message.Trim();
        int newline = trimmed.IndexOfAny(new[] { '\r', '\n' });
        return newline < 0 ? trimmed : trimmed.Substring(0, newline);
    }
}
