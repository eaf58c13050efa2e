using LogicAppAuth.Engine.Diagnosis;
using Xunit;

namespace LogicAppAuth.Tests.Diagnosis;

public class StatusClassifierTests
{
    [Theory]
    [InlineData("Unauthorized", "Failed to refresh access token for service: office365. Error: AADSTS700082: The refresh token has expired due to inactivity.", DiagnosisCause.OAuthTokenExpired, "AADSTS700082")]
    [InlineData("Unauthorized", "Failed to refresh access token for service: sharepointonline. Error: AADSTS50173: The provided grant has expired due to it being revoked.", DiagnosisCause.OAuthTokenRevoked, "AADSTS50173")]
    [InlineData("Unauthorized", "Error: AADSTS50133: Session is invalid due to expiration or recent password change.", DiagnosisCause.OAuthTokenRevoked, "AADSTS50133")]
    [InlineData("Unauthorized", "AADSTS50034: The user account {EUII Hidden} does not exist in the directory.", DiagnosisCause.UserNotFound, "AADSTS50034")]
    [InlineData("Unauthorized", "AADSTS50057: The user account is disabled.", DiagnosisCause.UserAccountDisabled, "AADSTS50057")]
    [InlineData("Unauthorized", "AADSTS7000222: The provided client secret keys for app '7c1e' are expired.", DiagnosisCause.SecretExpired, "AADSTS7000222")]
    [InlineData("Unauthorized", "AADSTS700027: The certificate with identifier used to sign the client assertion is expired on application.", DiagnosisCause.CertificateExpired, "AADSTS700027")]
    [InlineData("Unauthorized", "AADSTS65001: The user or administrator has not consented to use the application.", DiagnosisCause.ConsentMissing, "AADSTS65001")]
    public void Classifies_known_AADSTS_codes(string code, string message, DiagnosisCause expected, string aadsts)
    {
        var finding = StatusClassifier.Classify(code, message, "statuses[0]");
        Assert.Equal(expected, finding.Cause);
        Assert.Equal(aadsts, finding.Aadsts);
        Assert.StartsWith("statuses[0]: " + code + " " + aadsts, finding.Evidence);
    }

    [Fact]
    public void Unauthenticated_is_missing_consent()
    {
        var finding = StatusClassifier.Classify("Unauthenticated", "This connection is not authenticated.");
        Assert.Equal(DiagnosisCause.ConsentMissing, finding.Cause);
        Assert.Contains("Unauthenticated", finding.Evidence);
    }

    [Fact]
    public void A_refresh_failure_without_a_code_is_an_expired_token()
    {
        Assert.Equal(DiagnosisCause.OAuthTokenExpired, StatusClassifier.Classify("Unauthorized", "Failed to refresh access token for service: office365.").Cause);
    }

    [Theory]
    [InlineData("Unauthorized", "AADSTS9999999: something new")]
    [InlineData("BadGateway", "The gateway did not answer.")]
    [InlineData("Unauthorized", "AADSTS7000215: Invalid client secret provided.")]
    public void Unrecognised_failures_are_unknown_and_quoted(string code, string message)
    {
        var finding = StatusClassifier.Classify(code, message);
        Assert.Equal(DiagnosisCause.Unknown, finding.Cause);
        Assert.Contains(code, finding.Evidence);
    }

    [Fact]
    public void No_error_proves_nothing()
    {
        Assert.Equal(DiagnosisCause.None, StatusClassifier.Classify("", "").Cause);
        Assert.Equal(DiagnosisCause.None, StatusClassifier.Classify(null, null).Cause);
    }

    [Fact]
    public void Evidence_is_one_short_line()
    {
        var finding = StatusClassifier.Classify("Weird", "line one\r\nline two " + new string('x', 400));
        Assert.DoesNotContain("\n", finding.Evidence);
        Assert.True(finding.Evidence.Length < 220);
    }

    [Theory]
    [InlineData("AADSTS700082", DiagnosisCause.OAuthTokenExpired)]
    [InlineData("50173", DiagnosisCause.OAuthTokenRevoked)]
    [InlineData("AADSTS1", null)]
    public void Maps_codes_alone(string code, DiagnosisCause? expected) => Assert.Equal(expected, StatusClassifier.CauseOfAadsts(code));
}
