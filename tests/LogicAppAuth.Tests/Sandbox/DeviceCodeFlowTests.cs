using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>The sandbox's Entra ID device-code endpoints answer each stage of the wait as Entra does.</summary>
public sealed class DeviceCodeFlowTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string ClientId = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    private const string ArmScope = "https://management.azure.com/.default offline_access openid profile";

    private string Tenant => sandbox.Host.Info.TenantId;

    private async Task<(string DeviceCode, string UserCode, JsonNode Body)> StartAsync()
    {
        var (status, body, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, $"/{Tenant}/oauth2/v2.0/devicecode", null,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = ClientId, ["scope"] = ArmScope }));
        Assert.Equal(200, status);
        return ((string)body!["device_code"]!, (string)body["user_code"]!, body);
    }

    private Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> RedeemAsync(string deviceCode, string grantType = DeviceCodeFlow.GrantType) =>
        SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, $"/{Tenant}/oauth2/v2.0/token", null, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["grant_type"] = grantType,
            ["device_code"] = deviceCode,
            ["scope"] = ArmScope,
            ["client_info"] = "1",
        }));

    private async Task DecideAsync(string userCode, string action)
    {
        var response = await sandbox.Client.PostAsJsonAsync($"/_sandbox/device-codes/{userCode}", new { action, principal = "admin" });
        Assert.Equal(204, (int)response.StatusCode);
    }

    [Fact]
    public async Task TheDeviceCodeAnswerHasWhatAClientShowsAndPollsWith()
    {
        var (deviceCode, userCode, body) = await StartAsync();

        Assert.Matches("^[A-Z2-9]{9}$", userCode);
        Assert.True(deviceCode.Length > 40);
        Assert.Equal(900, (int)body["expires_in"]!);
        Assert.Equal(DeviceCodeFlow.IntervalSeconds, (int)body["interval"]!);
        Assert.Contains(userCode, (string?)body["message"]);
        Assert.Contains((string)body["verification_uri"]!, (string?)body["message"]);
    }

    [Fact]
    public async Task WhilePendingItAnswersAuthorizationPendingAndSlowDownWhenPolledTooFast()
    {
        var (deviceCode, _, _) = await StartAsync();

        var (first, firstBody, _) = await RedeemAsync(deviceCode);
        var (second, secondBody, _) = await RedeemAsync(deviceCode);

        Assert.Equal(400, first);
        Assert.Equal("authorization_pending", (string?)firstBody!["error"]);
        Assert.StartsWith("AADSTS70016:", (string?)firstBody["error_description"]);
        Assert.Equal(400, second);
        Assert.Equal("slow_down", (string?)secondBody!["error"]);
    }

    [Fact]
    public async Task AnApprovedCodeGivesUserTokensOnceAndTheRefreshTokenGivesAGraphToken()
    {
        var (deviceCode, userCode, _) = await StartAsync();
        await DecideAsync(userCode, "approve");

        var (status, body, _) = await RedeemAsync(deviceCode, DeviceCodeFlow.ShortGrantType);
        var (again, againBody, _) = await RedeemAsync(deviceCode);

        Assert.Equal(200, status);
        foreach (var field in new[] { "access_token", "refresh_token", "id_token", "client_info" })
        {
            Assert.False(string.IsNullOrEmpty((string?)body![field]), field);
        }

        Assert.Equal(400, again);
        Assert.Equal("invalid_grant", (string?)againBody!["error"]);

        var (refreshed, refreshedBody, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, $"/{Tenant}/oauth2/v2.0/token", null,
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_id"] = ClientId,
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = (string)body!["refresh_token"]!,
                ["scope"] = "https://graph.microsoft.com/.default offline_access openid profile",
            }));
        Assert.Equal(200, refreshed);
        var (graphStatus, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/applications", (string?)refreshedBody!["access_token"]);
        Assert.Equal(200, graphStatus);
    }

    [Theory]
    [InlineData("decline", "authorization_declined")]
    [InlineData("expire", "expired_token")]
    public async Task ADeclinedOrExpiredCodeEndsTheWait(string action, string error)
    {
        var (deviceCode, userCode, _) = await StartAsync();
        await DecideAsync(userCode, action);

        var (status, body, _) = await RedeemAsync(deviceCode);

        Assert.Equal(400, status);
        Assert.Equal(error, (string?)body!["error"]);
    }
}
