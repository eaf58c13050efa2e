using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Consent;

/// <summary>
/// Headless OAuth consent for API connections, on any OS: listConsentLinks gives a link the user opens in any
/// browser; the browser lands on the redirect URL with ?code=...; confirmConsentCode with that code authorizes the
/// connection, which is then read again and tested. Links and codes are secrets: they are never written to the
/// verbose, debug or error streams (the ARM client logs paths only, and errors name the connection, not the URL).
/// </summary>
public sealed class ConsentService
{
    private readonly AzureSession _session;

    public ConsentService(AzureSession session)
    {
        _session = session;
    }

    public async Task<ConsentLink> GetLinkAsync(string connectionId, string redirectUri, string objectId, string tenantId, IOperationSink sink, CancellationToken cancellationToken)
    {
        var id = ConnectionId(connectionId);
        var arm = _session.Arm(sink);
        var connection = await ReadAsync(arm, id.Id, cancellationToken).ConfigureAwait(false);
        var apiName = ApiName(connection);
        var parameterName = await OAuthParameterAsync(arm, id, connection, apiName, cancellationToken).ConfigureAwait(false);
        var (user, tenant) = await WhoAsync(objectId, tenantId, cancellationToken).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["parameters"] = new JsonArray(new JsonObject
            {
                ["parameterName"] = parameterName,
                ["redirectUrl"] = redirectUri,
                ["objectId"] = user,
                ["tenantId"] = tenant,
            }),
        };
        using var response = await arm.PostAsync($"{id.Id}/listConsentLinks?api-version={ApiVersions.Connections}", JsonEdit.Serialize(body), id.Id, cancellationToken).ConfigureAwait(false);
        var first = (JsonEdit.Get(JsonEdit.ToObject(response), "value") as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
        var link = JsonEdit.String(first, "link");
        if (link.Length == 0)
        {
            throw new LogicAppAuthException("ConsentLinkMissing", FailureKind.ResourceUnavailable,
                $"The service returned no consent link for connection {id.Name}. Try again, or authorize it in the portal.", id.Id);
        }

        sink.WriteVerbose($"Consent link received for connection {id.Name} (parameter '{parameterName}', user {user}); it is in the output object only.");
        return new ConsentLink
        {
            ResourceId = id.Id,
            SubscriptionId = id.SubscriptionId,
            ResourceGroupName = id.ResourceGroupName,
            Name = id.Name,
            ApiName = apiName,
            DisplayName = JsonEdit.String(first, "displayName"),
            Status = JsonEdit.String(first, "status"),
            Link = link,
            FirstPartyLoginUri = JsonEdit.String(first, "firstPartyLoginUri"),
            RedirectUri = redirectUri,
            ObjectId = user,
            TenantId = tenant,
            ParameterName = parameterName,
        };
    }

    /// <summary>Sends the code to confirmConsentCode (a write), then reads the connection again and runs its test link.</summary>
    public async Task<ConsentResult> CompleteAsync(string connectionId, string code, string objectId, string tenantId, IOperationSink sink, CancellationToken cancellationToken)
    {
        var id = ConnectionId(connectionId);
        var arm = _session.Arm(sink);
        var (user, tenant) = await WhoAsync(objectId, tenantId, cancellationToken).ConfigureAwait(false);
        var body = new JsonObject { ["tenantId"] = tenant, ["objectId"] = user, ["code"] = code };
        var newLink = $"Get a new link with Get-LogicConnectorConsentLink -ResourceId '{id.Id}', sign in again, and pass the new redirect URL.";
        LogicAppAuthException? lostAnswer = null;
        try
        {
            // The code is single-use: a retry after a lost answer would be refused and wrongly reported as a bad code.
            await arm.PostOnceAsync($"{id.Id}/confirmConsentCode?api-version={ApiVersions.Connections}", JsonEdit.Serialize(body), id.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 400)
        {
            throw new LogicAppAuthException(e.ErrorId, e.Kind,
                $"The consent code was refused for connection {id.Name} ({e.ErrorId}). Codes are single-use and short-lived: {newLink}", id.Id, e) { HttpStatus = e.HttpStatus };
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == null || e.HttpStatus == 408 || e.HttpStatus == 429 || e.HttpStatus >= 500)
        {
            lostAnswer = e;
        }

        var connection = await ReadAsync(arm, id.Id, cancellationToken).ConfigureAwait(false);
        var status = ConnectionDocument.Read(System.Text.Json.JsonDocument.Parse(JsonEdit.Serialize(connection)).RootElement);
        if (lostAnswer != null)
        {
            if (status.Status != ConnectionStatus.Connected)
            {
                throw new LogicAppAuthException("ConsentNotConfirmed", lostAnswer.Kind,
                    $"The confirmation of the consent code for connection {id.Name} got no answer ({lostAnswer.ErrorId}), and the connection is still " +
                    $"{status.Status}, so the code did not take. It was not sent again, because a code works once. {newLink}", id.Id, lostAnswer) { HttpStatus = lostAnswer.HttpStatus };
            }

            sink.WriteVerbose($"The confirmation of connection {id.Name} got no answer ({lostAnswer.ErrorId}), but the connection reads Connected: the code took.");
        }

        var result = new ConsentResult
        {
            ResourceId = id.Id,
            SubscriptionId = id.SubscriptionId,
            ResourceGroupName = id.ResourceGroupName,
            Name = id.Name,
            ApiName = status.ApiName,
            Status = status.Status,
            AuthenticatedUser = status.AuthenticatedUser,
            TenantId = status.TenantId,
            ErrorCode = status.ErrorCode,
            ErrorMessage = status.ErrorMessage,
        };

        bool liveOk = true;
        if (JsonEdit.Get(connection, "properties", "testLinks") is JsonArray links && links.OfType<JsonObject>().FirstOrDefault() is JsonObject testLink)
        {
            var method = JsonEdit.String(testLink, "method").ToUpperInvariant();
            var uri = JsonEdit.String(testLink, "requestUri");
            var path = ArmNames.PathUnder(uri, id.Id);
            if (method == "GET" && uri.Length > 0 && path == null)
            {
                result.LiveTest = "testLinks[0] is not under the connection; not followed";
            }
            else if (method == "GET" && uri.Length > 0)
            {
                try
                {
                    using (await arm.GetAsync(path!, id.Id, cancellationToken).ConfigureAwait(false))
                    {
                    }

                    result.LiveTest = "testLinks GET 200";
                }
                catch (LogicAppAuthException e) when (e.HttpStatus.HasValue && e.HttpStatus.Value < 500 && e.HttpStatus.Value != 429)
                {
                    liveOk = false;
                    result.LiveTest = $"testLinks GET {e.HttpStatus} {e.ErrorId}";
                }
            }
        }

        result.Healthy = status.Status == ConnectionStatus.Connected && liveOk;
        if (!result.Healthy)
        {
            sink.WriteWarning($"Connection {id.Name} was confirmed but is not healthy yet (status {status.Status}{(result.LiveTest.Length > 0 ? ", " + result.LiveTest : "")}). " +
                "Check that the account that signed in can use the service, or run Test-LogicConnectorAuth -Live.");
        }

        return result;
    }

    /// <summary>The authorization code in the URL the browser landed on; an error the identity provider put there is reported without the URL.</summary>
    public static string CodeFromRedirectUrl(string redirectUrl, string connectionId)
    {
        Uri uri;
        if (!Uri.TryCreate((redirectUrl ?? "").Trim(), UriKind.Absolute, out uri!))
        {
            throw new LogicAppAuthException("InvalidRedirectUrl", FailureKind.InvalidArgument,
                "-RedirectUrl is not an absolute URL. Paste the whole address the browser shows after signing in (it contains ?code=...).", connectionId);
        }

        string code = "", error = "", description = "";
        foreach (var part in (uri.Query.TrimStart('?') + "&" + uri.Fragment.TrimStart('#')).Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=');
            var name = equals < 0 ? part : part.Substring(0, equals);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(part.Substring(equals + 1).Replace('+', ' '));
            switch (name.ToLowerInvariant())
            {
                case "code": code = value; break;
                case "error": error = value; break;
                case "error_description": description = value; break;
            }
        }

        if (error.Length > 0)
        {
            throw new LogicAppAuthException("ConsentDenied", FailureKind.PermissionDenied,
                $"Sign-in did not grant consent ({error}{(description.Length > 0 ? ": " + description : "")}). Get a new link and sign in again with an account that may consent.", connectionId);
        }

        if (code.Length == 0)
        {
            throw new LogicAppAuthException("ConsentCodeMissing", FailureKind.InvalidArgument,
                "The URL given with -RedirectUrl has no code parameter. Paste the address the browser shows after signing in (it contains ?code=...).", connectionId);
        }

        return code;
    }

    private async Task<string> OAuthParameterAsync(ArmRestClient arm, AzureResourceId id, JsonObject connection, string apiName, CancellationToken cancellationToken)
    {
        var path = $"/subscriptions/{id.SubscriptionId}/providers/Microsoft.Web/locations/{JsonEdit.String(connection, "location")}/managedApis/{apiName}";
        ConnectorShape shape;
        try
        {
            using var document = await arm.GetAsync($"{path}?api-version={ApiVersions.Connections}", path, cancellationToken).ConfigureAwait(false);
            shape = ConnectorShape.Read(JsonEdit.ToObject(document));
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
        {
            return "token";
        }

        if (shape.OAuthParameter.Length == 0)
        {
            throw new LogicAppAuthException("ConsentNotApplicable", FailureKind.InvalidArgument,
                $"The {apiName} connector has no OAuth sign-in, so connection {id.Name} cannot be consented to. " +
                (shape.Style == ManagedIdentityStyle.NotSupported ? "Update its key or service principal instead." : $"Use Set-LogicConnectorManagedIdentity -ResourceId '{id.Id}' to switch it to a managed identity."), id.Id);
        }

        return shape.OAuthParameter;
    }

    private async Task<(string ObjectId, string TenantId)> WhoAsync(string objectId, string tenantId, CancellationToken cancellationToken)
    {
        if (objectId.Length > 0 && tenantId.Length > 0)
        {
            return (objectId, tenantId);
        }

        var (signedInTenant, signedInObject) = await _session.SignedInIdentityAsync(cancellationToken).ConfigureAwait(false);
        return (objectId.Length > 0 ? objectId : signedInObject, tenantId.Length > 0 ? tenantId : signedInTenant);
    }

    private static AzureResourceId ConnectionId(string connectionId)
    {
        var id = AzureResourceId.Parse(connectionId);
        if (!id.IsType(AzureResourceId.ConnectionType))
        {
            throw new LogicAppAuthException("NotAConnection", FailureKind.InvalidArgument,
                $"'{id.Id}' is a {id.ResourceType}, not an API connection (Microsoft.Web/connections).", id.Id);
        }

        return id;
    }

    private static async Task<JsonObject> ReadAsync(ArmRestClient arm, string resourceId, CancellationToken cancellationToken)
    {
        using var document = await arm.GetAsync($"{resourceId}?api-version={ApiVersions.Connections}", resourceId, cancellationToken).ConfigureAwait(false);
        return JsonEdit.ToObject(document);
    }

    private static string ApiName(JsonObject connection)
    {
        var name = JsonEdit.String(connection, "properties", "api", "name");
        var apiId = JsonEdit.String(connection, "properties", "api", "id");
        return name.Length > 0 ? name : apiId.Substring(apiId.LastIndexOf('/') + 1);
    }
}
