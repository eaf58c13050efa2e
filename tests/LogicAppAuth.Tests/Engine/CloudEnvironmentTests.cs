using LogicAppAuth.Engine.Auth;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class CloudEnvironmentTests
{
    [Theory]
    [InlineData(null, "https://management.azure.com/", "https://graph.microsoft.com/.default")]
    [InlineData("azureusgovernment", "https://management.usgovcloudapi.net/", "https://graph.microsoft.us/.default")]
    [InlineData("AzureChinaCloud", "https://management.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default")]
    public void KnowsTheClouds(string? name, string resourceManager, string graphScope)
    {
        var cloud = CloudEnvironment.Create(name);
        Assert.Equal(resourceManager, cloud.ResourceManagerUrl.AbsoluteUri);
        Assert.Equal(graphScope, cloud.GraphScope);
    }

    [Fact]
    public void OverridesMoveRequestsButKeepAudiences()
    {
        var cloud = CloudEnvironment.Create("AzureCloud", new Uri("https://127.0.0.1:8443"), new Uri("https://127.0.0.1:8443"), new Uri("https://127.0.0.1:8443"));
        Assert.Equal("https://127.0.0.1:8443/", cloud.ResourceManagerUrl.AbsoluteUri);
        Assert.Equal("https://management.azure.com/.default", cloud.ResourceManagerScope);
        Assert.Equal("AzureCloud", cloud.Name);
    }

    [Fact]
    public void An_extra_certificate_is_trusted_only_for_the_overridden_hosts()
    {
        var cloud = CloudEnvironment.Create("AzureCloud", new Uri("https://arm.contoso.local:8443"));
        Assert.Equal(new[] { "arm.contoso.local" }, cloud.OverriddenHosts);
        Assert.Empty(CloudEnvironment.Create("AzureCloud").OverriddenHosts);
    }

    [Fact]
    public void RefusesPlainHttpEndpoints() =>
        Assert.Throws<ArgumentException>(() => CloudEnvironment.Create("AzureCloud", new Uri("http://127.0.0.1:8080")));

    [Fact]
    public void RefusesAnUnknownCloud() => Assert.Throws<ArgumentException>(() => CloudEnvironment.Create("AzureGermanCloud"));
}
