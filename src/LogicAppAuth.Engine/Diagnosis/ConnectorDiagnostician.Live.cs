using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Engine.Diagnosis;

public sealed partial class ConnectorDiagnostician
{
    /// <summary>
    /// -Live: the connection's testLinks[0] (a GET), as the portal's "Test connection" does; when that cannot be
    /// called, testRequests[0] (dynamicInvoke of a GET). Only reads: nothing else is ever sent.
    /// </summary>
    private async Task LiveTestAsync(ConnectionFacts facts, DiagnosisFindings findings, ConnectorDiagnosis result, CancellationToken cancellationToken)
    {
        var connectionId = facts.Status.ResourceId;
        string fallbackReason = "no testLinks";
        if (facts.TestLink is (string linkUri, string linkMethod) && linkUri.Length > 0)
        {
            var path = PathUnder(linkUri, connectionId);
            if (path == null || !string.Equals(linkMethod, "get", StringComparison.OrdinalIgnoreCase))
            {
                fallbackReason = "testLinks[0] is not a GET under the connection";
            }
            else
            {
                try
                {
                    using var _ = await _arm.GetAsync(path, connectionId, cancellationToken).ConfigureAwait(false);
                    result.LiveTest = "testLinks: 200 OK";
                    findings.Note("live test (testLinks GET): 200 OK");
                    return;
                }
                catch (LogicAppAuthException e) when (e.HttpStatus is int status && status >= 400 && status != 404 && status != 405 && status != 501 && status != 429
                    && !CallerTokenFailure(e) && !CallerNotAllowed(e))
                {
                    RecordLiveFailure("testLinks", status, e.ErrorId, e.Message, findings, result);
                    return;
                }
                catch (LogicAppAuthException e)
                {
                    fallbackReason = $"testLinks answered {e.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? e.ErrorId}";
                }
            }
        }

        if (facts.TestRequest is (string requestUri, string method, string body) && requestUri.Length > 0)
        {
            var path = PathUnder(requestUri, connectionId);
            if (path == null || !string.Equals(method, "post", StringComparison.OrdinalIgnoreCase) || !IsReadOnlyInvoke(body))
            {
                findings.Skip("live test", $"{fallbackReason}, and testRequests[0] is not a read-only dynamicInvoke under the connection; not sent");
                return;
            }

            try
            {
                using var answer = await _arm.PostAsync(path, body, connectionId, cancellationToken).ConfigureAwait(false);
                var wrapped = Json.Path(answer.RootElement, "response") ?? answer.RootElement;
                var statusCode = Json.String(wrapped, "statusCode");
                if (statusCode.Length == 0 || string.Equals(statusCode, "OK", StringComparison.OrdinalIgnoreCase) || statusCode == "200")
                {
                    result.LiveTest = "testRequests: OK";
                    findings.Note($"live test (testRequests dynamicInvoke, {fallbackReason}): OK");
                }
                else
                {
                    var message = Json.String(wrapped, "body", "error", "message");
                    if (message.Length == 0)
                    {
                        message = Json.String(wrapped, "body", "message");
                    }

                    RecordLiveFailure("testRequests", StatusNumber(statusCode), statusCode, message, findings, result);
                }
            }
            catch (LogicAppAuthException e) when (e.HttpStatus is int status && status >= 400 && !CallerTokenFailure(e))
            {
                if (CallerNotAllowed(e))
                {
                    findings.Skip("live test", $"{fallbackReason}, and the signed-in identity may not call dynamicInvoke ({status} {e.ErrorId})");
                    Warn("live:403", $"The live test could not be sent ({status} {e.ErrorId}): it needs Microsoft.Web/connections/extensions/proxy/action or " +
                        "Microsoft.Web/connections/dynamicInvoke/action on the connections (Reader does not have them; Logic App Contributor does).");
                    return;
                }

                RecordLiveFailure("testRequests", status, e.ErrorId, e.Message, findings, result);
            }

            return;
        }

        result.LiveTest = "not available";
        findings.Note($"live test: {fallbackReason} and no testRequests on the connection");
    }

    private static void RecordLiveFailure(string source, int status, string code, string message, DiagnosisFindings findings, ConnectorDiagnosis result)
    {
        result.LiveTest = $"{source}: {status} {code}".Trim();
        message = ServiceMessage(message);
        var finding = StatusClassifier.Classify(code, message, $"live test ({source}) {status}");
        if (finding.Cause == DiagnosisCause.None || finding.Cause == DiagnosisCause.Unknown)
        {
            findings.Failure(finding.Cause == DiagnosisCause.None ? $"live test ({source}) answered {status}" : finding.Evidence);
        }
        else
        {
            findings.Add(finding.Cause, finding.Evidence);
        }
    }

    /// <summary>The service's own message out of the module's error text ("... answered 401 Code: message Advice.").</summary>
    internal static string ServiceMessage(string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text ?? "", @"answered \d+ [^:]*: (.*)$", System.Text.RegularExpressions.RegexOptions.Singleline);
        var message = match.Success ? match.Groups[1].Value : text ?? "";
        foreach (var advice in new[] { "Sign in again with Connect-LogicAppAuth.", "The signed-in identity lacks permission for this scope.", "Check the name, resource group and subscription.",
            "The service is throttling requests; try again later.", "The service failed; try again later." })
        {
            if (message.EndsWith(advice, StringComparison.Ordinal))
            {
                message = message.Substring(0, message.Length - advice.Length);
            }
        }

        return message.Trim();
    }

    /// <summary>ARM refusing the caller's own token is not the connection's failure; it stops the call as any sign-in failure does.</summary>
    private static bool CallerTokenFailure(LogicAppAuthException e) => e.IsCallerTokenRefused;

    /// <summary>ARM refusing the caller the test action (not the connector refusing the connection).</summary>
    private static bool CallerNotAllowed(LogicAppAuthException e) => e.HttpStatus == 403 && e.ErrorId == "AuthorizationFailed";

    /// <summary>The path and query of a service-emitted test URI, only when it lies under the connection itself (the host is the session's).</summary>
    internal static string? PathUnder(string uri, string connectionId) => ArmNames.PathUnder(uri, connectionId);

    /// <summary>dynamicInvoke bodies are sent only when the wrapped request is a GET.</summary>
    internal static bool IsReadOnlyInvoke(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            return string.Equals(Json.String(document.RootElement, "request", "method"), "get", StringComparison.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int StatusNumber(string statusCode)
    {
        if (int.TryParse(statusCode, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return Enum.TryParse<System.Net.HttpStatusCode>(statusCode, true, out var named) ? (int)named : 0;
    }
}
