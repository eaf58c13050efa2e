using LogicAppAuth.Engine.Arm;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class ProviderApiVersionsTests
{
    [Theory]
    [InlineData("2024-05-01-preview,2023-08-01,2021-11-01,2014-04-01", "2023-08-01")]
    [InlineData("2014-04-01,2021-11-01,2023-08-01", "2023-08-01")]
    [InlineData("2024-12-01-preview,2023-10-01-beta", "2024-12-01-preview")]
    public void TakesTheNewestStableVersionElseTheNewestPreview(string registered, string expected) =>
        Assert.Equal(expected, ProviderApiVersions.Newest(registered.Split(',')));

    [Fact]
    public void HasNoVersionWhenTheProviderRegistersNone() => Assert.Null(ProviderApiVersions.Newest([]));
}
