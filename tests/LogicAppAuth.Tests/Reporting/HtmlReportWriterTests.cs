using LogicAppAuth.Engine.Reporting;
using Xunit;

namespace LogicAppAuth.Tests.Reporting;

public sealed class HtmlReportWriterTests
{
    private const string Id = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg/providers/Microsoft.Web/connections/office365";

    [Fact]
    public void ADiagnosisReplacesTheStatusOfTheSameConnectionWhicheverArrivesFirst()
    {
        var report = new HealthReport();
        report.Add(new ConnectorStatus { ResourceId = Id, Name = "office365", Status = ConnectionStatus.Error });
        report.Add(new ConnectorDiagnosis { ResourceId = Id, Name = "office365", Cause = DiagnosisCause.OAuthTokenExpired });
        report.Add(new ConnectorStatus { ResourceId = Id, Name = "office365", Status = ConnectionStatus.Error });

        var connection = Assert.Single(report.Connections);
        Assert.Equal("OAuthTokenExpired", connection.Cause);
    }

    [Fact]
    public void AStatusAloneIsBrokenUnlessConnectedAndPointsAtTheDiagnosis()
    {
        var report = new HealthReport();
        report.Add(new ConnectorStatus { ResourceId = Id, Status = ConnectionStatus.Error, ErrorCode = "Unauthorized" });

        var connection = Assert.Single(report.Connections);
        Assert.False(connection.Healthy);
        Assert.Equal("NotDiagnosed", connection.Cause);
        Assert.Contains("Test-LogicConnectorAuth -ResourceId", connection.Fix);
    }

    [Fact]
    public void LinksWithAQueryAndTokenShapedTextNeverReachTheFile()
    {
        var report = new HealthReport();
        report.Add(new ConnectorDiagnosis
        {
            ResourceId = Id,
            Evidence = "Consent at https://consent.example/login?code=abc123&state=x failed; token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl",
            RemediationCommand = "Get-LogicConnectorConsentLink -ResourceId '" + Id + "'",
        });

        var html = HtmlReportWriter.Render(report);

        Assert.DoesNotContain("code=abc123", html);
        Assert.DoesNotContain("eyJhbGciOiJSUzI1NiJ9", html);
        Assert.Contains("[link removed]", html);
        Assert.Contains("[token removed]", html);
        Assert.Contains("Get-LogicConnectorConsentLink", html);
    }

    [Fact]
    public void DataCannotCloseItsScriptElement()
    {
        var report = new HealthReport();
        report.Add(new ConnectorDiagnosis { ResourceId = Id, Name = "</script><script>alert(1)</script>" });

        var html = HtmlReportWriter.Render(report);

        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.Equal(2, html.Split("</script>").Length - 1);
    }
}
