using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using LogicAppAuth.Sandbox.Auth;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class WriteRouteTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Workflows = Contoso.IntegrationGroup + "/providers/Microsoft.Logic/workflows/";
    private const string Connections = Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections/";
    private const string WorkflowApi = "api-version=2019-05-01";
    private const string WebApi = "api-version=2016-06-01";

    private string Token => sandbox.Host.Info.AccessToken;

    private Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Send(HttpMethod method, string url, JsonNode body, string? token = null) =>
        SandboxHttpFixture.SendAsync(sandbox.Client, method, url, token ?? Token, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    private async Task<JsonObject> Get(string url) => (await SandboxHttpFixture.GetAsync(sandbox.Client, url, Token)).Body!.AsObject();

    [Fact]
    public async Task PatchOfWorkflowPropertiesIsInvalidPatchWorkflowRequest()
    {
        var (status, body, _) = await Send(HttpMethod.Patch, $"{Workflows}wf-daily-report?{WorkflowApi}",
            new JsonObject { ["properties"] = new JsonObject { ["state"] = "Disabled" } });

        Assert.Equal(400, status);
        Assert.Equal("InvalidPatchWorkflowRequest", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task PatchIdentityAssignsAStablePrincipalThatRoleAssignmentsAccept()
    {
        var url = $"{Workflows}wf-blob-archive?{WorkflowApi}";
        var (status, workflow, _) = await Send(HttpMethod.Patch, url, new JsonObject { ["identity"] = new JsonObject { ["type"] = "SystemAssigned" } });

        Assert.Equal(200, status);
        var principalId = (string)workflow!["identity"]!["principalId"]!;
        Assert.True(Guid.TryParse(principalId, out _));
        Assert.Equal(Contoso.TenantId, (string?)workflow["identity"]!["tenantId"]);
        Assert.NotNull(workflow["properties"]!["definition"]);

        var (_, again, _) = await Send(HttpMethod.Patch, url, new JsonObject { ["identity"] = new JsonObject { ["type"] = "SystemAssigned" } });
        Assert.Equal(principalId, (string?)again!["identity"]!["principalId"]);

        var (spStatus, sp, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"/v1.0/servicePrincipals/{principalId}", sandbox.Host.Info.MicrosoftGraphAccessToken);
        Assert.Equal(200, spStatus);
        Assert.Equal("ManagedIdentity", (string?)sp!["servicePrincipalType"]);

        var storage = Contoso.IntegrationGroup + "/providers/Microsoft.Storage/storageAccounts/stcontosodata";
        var (assigned, _, _) = await Send(HttpMethod.Put, $"{storage}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            new JsonObject
            {
                ["properties"] = new JsonObject
                {
                    ["roleDefinitionId"] = $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
                    ["principalId"] = principalId,
                },
            });
        Assert.Equal(201, assigned);
    }

    [Fact]
    public async Task PutReplacesTheWorkflowAndBumpsChangedTimeAndVersion()
    {
        var url = $"{Workflows}wf-teams-notify?{WorkflowApi}";
        var before = await Get(url);
        var body = new JsonObject
        {
            ["location"] = before["location"]!.DeepClone(),
            ["tags"] = new JsonObject { ["fixedBy"] = "LogicAppAuth" },
            ["properties"] = new JsonObject
            {
                ["state"] = "Enabled",
                ["definition"] = before["properties"]!["definition"]!.DeepClone(),
                ["parameters"] = before["properties"]!["parameters"]!.DeepClone(),
            },
        };

        var (status, after, _) = await Send(HttpMethod.Put, url, body);

        Assert.Equal(200, status);
        Assert.Equal((string?)before["properties"]!["createdTime"], (string?)after!["properties"]!["createdTime"]);
        Assert.True(string.CompareOrdinal((string?)after["properties"]!["changedTime"], (string?)before["properties"]!["changedTime"]) > 0);
        Assert.NotEqual((string?)before["properties"]!["version"], (string?)after["properties"]!["version"]);
        Assert.Equal("LogicAppAuth", (string?)after["tags"]!["fixedBy"]);
        Assert.Equal("Succeeded", (string?)after["properties"]!["provisioningState"]);
        Assert.Equal(after.ToJsonString(), (await Get(url)).ToJsonString());
    }

    [Fact]
    public async Task ReaderIsRefusedEveryWriteAndWritesAreLogged()
    {
        var reader = sandbox.Host.IssueToken("reader");
        var (workflow, workflowError, _) = await Send(HttpMethod.Patch, $"{Workflows}wf-daily-report?{WorkflowApi}", new JsonObject { ["tags"] = new JsonObject() }, reader);
        var (connection, connectionError, _) = await Send(HttpMethod.Put, $"{Connections}office365-expired?{WebApi}", new JsonObject { ["location"] = "westeurope" }, reader);

        Assert.Equal(403, workflow);
        Assert.Contains("Microsoft.Logic/workflows/write", (string?)workflowError!["error"]!["message"]);
        Assert.Equal(403, connection);
        Assert.Contains("Microsoft.Web/connections/write", (string?)connectionError!["error"]!["message"]);
        var log = sandbox.Host.State.Log.Snapshot();
        Assert.Contains(log, e => e.Method == "PATCH" && e.Path.EndsWith("/workflows/wf-daily-report", StringComparison.Ordinal) && e.Status == 403 && e.Principal == "reader");
    }

    [Fact]
    public async Task SwitchingAConnectionToManagedIdentityMakesItConnected()
    {
        var url = $"{Connections}keyvault-sp-secret-expired?{WebApi}";
        var (status, connection, _) = await Send(HttpMethod.Patch, url, new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["parameterValueSet"] = new JsonObject
                {
                    ["name"] = "oauthMI",
                    ["values"] = new JsonObject { ["vaultName"] = new JsonObject { ["value"] = "kv-contoso-secrets" } },
                },
            },
        });

        Assert.Equal(200, status);
        var properties = connection!["properties"]!;
        Assert.Equal("Connected", (string?)properties["statuses"]![0]!["status"]);
        Assert.Equal("Connected", (string?)properties["overallStatus"]);
        Assert.Equal("oauthMI", (string?)properties["parameterValueSet"]!["name"]);
        Assert.Null(properties["nonSecretParameterValues"]!["token:clientId"]);
        Assert.Empty(properties["testLinks"]!.AsArray());
        Assert.Equal("Azure Key Vault", (string?)properties["api"]!["displayName"]);
        Assert.Equal("keyvault-sp-secret-expired", (string?)connection["name"]);
    }

    [Fact]
    public async Task NewOAuthConnectionIsUnauthenticatedUntilConsentedWithTheIssuedCode()
    {
        var url = $"{Connections}office365-new?{WebApi}";
        var (created, connection, _) = await Send(HttpMethod.Put, url, new JsonObject
        {
            ["location"] = "westeurope",
            ["kind"] = "V1",
            ["properties"] = new JsonObject
            {
                ["displayName"] = "office365-new",
                ["api"] = new JsonObject { ["id"] = $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Web/locations/westeurope/managedApis/office365" },
            },
        });
        Assert.Equal(201, created);
        Assert.Equal("Unauthenticated", (string?)connection!["properties"]!["statuses"]![0]!["error"]!["code"]);
        Assert.StartsWith(sandbox.Host.Endpoint.ToString().TrimEnd('/'), (string?)connection["properties"]!["testLinks"]![0]!["requestUri"]);

        var (listStatus, links, _) = await Send(HttpMethod.Post, $"{Connections}office365-new/listConsentLinks?{WebApi}", new JsonObject
        {
            ["parameters"] = new JsonArray(new JsonObject
            {
                ["parameterName"] = "token",
                ["redirectUrl"] = "http://localhost:8765/callback",
                ["objectId"] = "a1b2c3d4-0001-4e5f-8a9b-000000000001",
                ["tenantId"] = Contoso.TenantId,
            }),
        });
        Assert.Equal(200, listStatus);
        var link = links!["value"]![0]!;
        Assert.Equal("Unauthenticated", (string?)link["status"]);
        Assert.NotNull(link["firstPartyLoginUri"]);

        using var noRedirect = new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate!.Thumbprint == sandbox.Host.Certificate.Thumbprint,
        });
        var page = await noRedirect.GetAsync((string)link["link"]!);
        Assert.Equal(302, (int)page.StatusCode);
        var location = page.Headers.Location!;
        Assert.StartsWith("http://localhost:8765/callback?", location.ToString());
        var code = HttpUtility.ParseQueryString(location.Query)["code"]!;

        var confirmUrl = $"{Connections}office365-new/confirmConsentCode?{WebApi}";
        var confirmBody = new JsonObject { ["tenantId"] = Contoso.TenantId, ["objectId"] = "a1b2c3d4-0001-4e5f-8a9b-000000000001" };
        confirmBody["code"] = "not-the-code";
        var (wrong, wrongBody, _) = await Send(HttpMethod.Post, confirmUrl, confirmBody);
        Assert.Equal(400, wrong);
        Assert.NotNull(wrongBody!["error"]!["code"]);

        confirmBody["code"] = code;
        var (confirmed, after, _) = await Send(HttpMethod.Post, confirmUrl, confirmBody);
        Assert.Equal(200, confirmed);
        Assert.Equal("Connected", (string?)after!["properties"]!["statuses"]![0]!["status"]);
        Assert.Equal("MeganB@contoso.onmicrosoft.com", (string?)after["properties"]!["authenticatedUser"]!["name"]);

        var (_, stored, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, url, Token);
        Assert.Equal("Connected", (string?)stored!["properties"]!["overallStatus"]);
        var (tested, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, (string)stored["properties"]!["testLinks"]![0]!["requestUri"]!, Token);
        Assert.Equal(200, tested);

        var (reused, _, _) = await Send(HttpMethod.Post, confirmUrl, confirmBody);
        Assert.Equal(400, reused);
    }

    [Fact]
    public async Task AccessPoliciesCanBeAddedReadAndDeleted()
    {
        var connection = $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql-v2-nopolicy";
        var principal = "df5cf40e-7a78-4287-ae7e-52729e1a2ba3";
        var url = $"{connection}/accessPolicies/{principal}?{WebApi}";
        var (created, policy, _) = await Send(HttpMethod.Put, url, new JsonObject
        {
            ["location"] = "westeurope",
            ["properties"] = new JsonObject
            {
                ["principal"] = new JsonObject
                {
                    ["type"] = "ActiveDirectory",
                    ["identity"] = new JsonObject { ["objectId"] = principal, ["tenantId"] = Contoso.TenantId },
                },
            },
        });
        var (_, list, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{connection}/accessPolicies?{WebApi}", Token);
        var (deleted, _, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Delete, url, Token);
        var (gone, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, url, Token);

        Assert.Equal(201, created);
        Assert.Equal("Microsoft.Web/connections/accessPolicies", (string?)policy!["type"]);
        Assert.Equal($"sql-v2-nopolicy/{principal}", (string?)policy["name"]);
        Assert.Single(list!["value"]!.AsArray());
        Assert.Equal(200, deleted);
        Assert.Equal(404, gone);
    }

    [Fact]
    public async Task SiteIdentityPatchIsAnsweredLaterThroughItsOperation()
    {
        var site = $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std?api-version=2023-12-01";
        var (status, _, response) = await Send(HttpMethod.Patch, site, new JsonObject { ["identity"] = new JsonObject { ["type"] = "SystemAssigned" } });

        Assert.Equal(202, status);
        var operation = response.Headers.GetValues("Azure-AsyncOperation").Single();
        Assert.Contains("/providers/Microsoft.Web/locations/westeurope/operations/", operation);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        var (_, unfinished, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, site, Token);
        Assert.Null(unfinished!["identity"]!["principalId"]);

        var (_, first, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, operation, Token);
        var (_, second, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, operation, Token);
        Assert.Equal("InProgress", (string?)first!["status"]);
        Assert.Equal("Succeeded", (string?)second!["status"]);
        var (_, done, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, site, Token);
        Assert.Equal("df5cf40e-7a78-4287-ae7e-52729e1a2ba3", (string?)done!["identity"]!["principalId"]);
        Assert.Equal("functionapp,workflowapp", (string?)done["kind"]);
    }
}
