using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class SandboxHostTests
{
    [Fact]
    public async Task ReadyFileDescribesTheSandboxAndIsDeletedOnShutdownRoute()
    {
        var folder = Path.Combine(Path.GetTempPath(), "laa-sbx-" + Guid.NewGuid());
        var readyFile = Path.Combine(folder, "ready.json");
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { ReadyFile = readyFile });

        var info = ReadyInfo.Read(readyFile);
        Assert.Equal(Environment.ProcessId, info.Pid);
        Assert.StartsWith("https://127.0.0.1:", info.Endpoint);
        Assert.Equal(info.Endpoint, info.ResourceManagerUrl);
        Assert.Equal(info.Endpoint, info.GraphUrl);
        Assert.Equal(info.Endpoint, info.AuthorityHost);
        Assert.Equal(Path.Combine(folder, "sandbox-cert.pem"), info.CertificatePath);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(info.CertificatePath));
        Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(info.CertificatePath));
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/msi/token$", info.IdentityEndpoint);
        Assert.Equal(2, info.Subscriptions.Count);
        Assert.Equal(["admin", "fabrikam-admin", "norole", "reader"], info.Principals.Keys.Order());
        Assert.Equal(info.Principals["admin"], info.ServicePrincipal);
        Assert.Equal("contoso", info.Scenario);

        using var client = host.CreateClient();
        var (status, _, _) = await SandboxHttpFixture.SendAsync(client, HttpMethod.Post, "/_sandbox/shutdown", null);
        Assert.Equal(202, status);
        await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await host.StopAsync();
        Assert.False(File.Exists(readyFile));
    }

    [Fact]
    public void CommandLineParsesEveryOption()
    {
        var options = CommandLine.Parse(["--scenario", "contoso", "--ready-file", "r.json", "--latency-ms", "5", "--page-size", "2", "--token-lifetime-seconds", "60"]);

        Assert.Equal("contoso", options.Scenario);
        Assert.Equal(Path.GetFullPath("r.json"), options.ReadyFile);
        Assert.Equal(5, options.LatencyMs);
        Assert.Equal(2, options.ArmPageSize);
        Assert.Equal(2, options.GraphPageSize);
        Assert.Equal(60, options.TokenLifetimeSeconds);
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--scenario", "contoso"]));
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--bogus"]));
    }

    [Fact]
    public async Task LatencyDelaysArmRequests()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { LatencyMs = 300, CertificateDirectory = Path.Combine(Path.GetTempPath(), "laa-sbx-" + Guid.NewGuid()) });
        using var client = host.CreateClient();
        await SandboxHttpFixture.GetAsync(client, "/subscriptions?api-version=2022-12-01", host.Info.AccessToken);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await SandboxHttpFixture.GetAsync(client, "/subscriptions?api-version=2022-12-01", host.Info.AccessToken);

        Assert.True(watch.ElapsedMilliseconds >= 280, $"took {watch.ElapsedMilliseconds} ms");
    }
}
