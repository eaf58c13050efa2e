using LogicAppAuth.Engine.Diagnosis;
using Xunit;

namespace LogicAppAuth.Tests.Diagnosis;

public class PrecedenceTests
{
    [Fact]
    public void The_order_is_the_contract()
    {
        Assert.Equal(
            "ConnectionDeleted;AppSettingMissing;WrongTenant;UserNotFound;UserAccountDisabled;CertificateExpired;SecretExpired;KeyRotated;ManagedIdentityNotAssigned;" +
            "AccessPolicyMissing;PermissionMissing;OAuthTokenRevoked;OAuthTokenExpired;ConsentMissing;Unknown",
            string.Join(";", CausePrecedence.Order));
    }

    [Fact]
    public void Every_cause_but_None_has_a_place()
    {
        foreach (var cause in Enum.GetValues<DiagnosisCause>().Where(c => c != DiagnosisCause.None))
        {
            Assert.Contains(cause, CausePrecedence.Order);
        }
    }

    [Fact]
    public void Disabled_user_comes_before_expired_token()
    {
        var causes = new[] { DiagnosisCause.OAuthTokenExpired, DiagnosisCause.UserAccountDisabled };
        Assert.Equal(DiagnosisCause.UserAccountDisabled, CausePrecedence.Primary(causes));
        Assert.Equal("UserAccountDisabled;OAuthTokenExpired", CausePrecedence.Join(causes));
    }

    [Fact]
    public void Duplicates_and_None_are_dropped()
    {
        Assert.Equal("WrongTenant;ConsentMissing",
            CausePrecedence.Join(new[] { DiagnosisCause.ConsentMissing, DiagnosisCause.None, DiagnosisCause.WrongTenant, DiagnosisCause.WrongTenant }));
        Assert.Equal(DiagnosisCause.None, CausePrecedence.Primary(Array.Empty<DiagnosisCause>()));
    }

    [Fact]
    public void Findings_put_cause_evidence_first_in_precedence_order()
    {
        var findings = new DiagnosisFindings();
        findings.Note("Graph: user x accountEnabled=true");
        findings.Add(DiagnosisCause.OAuthTokenExpired, "statuses[0]: Unauthorized AADSTS700082");
        findings.Add(DiagnosisCause.WrongTenant, "token:TenantId a is not b");
        findings.Skip("role check", "403");
        Assert.Equal("token:TenantId a is not b; statuses[0]: Unauthorized AADSTS700082; Graph: user x accountEnabled=true; role check skipped: 403", findings.Evidence());
        Assert.Equal(new[] { DiagnosisCause.WrongTenant, DiagnosisCause.OAuthTokenExpired }, findings.EffectiveCauses(false));
    }

    [Fact]
    public void A_skipped_check_without_a_proven_cause_is_unknown_not_healthy()
    {
        var findings = new DiagnosisFindings();
        findings.Note("status Connected");
        Assert.Empty(findings.EffectiveCauses(false));
        findings.Skip("user check", "Graph /users answered 403 Authorization_RequestDenied");
        Assert.Equal(new[] { DiagnosisCause.Unknown }, findings.EffectiveCauses(false));
        findings.Add(DiagnosisCause.ConsentMissing, "statuses[0]: Unauthenticated");
        Assert.Equal(new[] { DiagnosisCause.ConsentMissing }, findings.EffectiveCauses(false));
    }

    [Fact]
    public void A_failure_without_a_cause_is_unknown()
    {
        var findings = new DiagnosisFindings();
        findings.Failure("live test (testLinks) answered 500");
        Assert.Equal(new[] { DiagnosisCause.Unknown }, findings.EffectiveCauses(false));
        Assert.Equal(new[] { DiagnosisCause.Unknown }, new DiagnosisFindings().EffectiveCauses(statusIsError: true));
    }

    [Fact]
    public void Severity_is_error_when_broken_and_warning_when_only_at_risk()
    {
        var connected = new ConnectorStatus { Status = ConnectionStatus.Connected };
        Assert.Equal(DiagnosisSeverity.None, ConnectorDiagnostician.SeverityOf(Array.Empty<DiagnosisCause>(), connected));
        Assert.Equal(DiagnosisSeverity.Warning, ConnectorDiagnostician.SeverityOf(new[] { DiagnosisCause.WrongTenant }, connected));
        Assert.Equal(DiagnosisSeverity.Warning, ConnectorDiagnostician.SeverityOf(new[] { DiagnosisCause.Unknown }, connected));
        Assert.Equal(DiagnosisSeverity.Error, ConnectorDiagnostician.SeverityOf(new[] { DiagnosisCause.UserAccountDisabled }, connected));
        Assert.Equal(DiagnosisSeverity.Error, ConnectorDiagnostician.SeverityOf(new[] { DiagnosisCause.Unknown }, new ConnectorStatus { Status = ConnectionStatus.Error }));
    }
}
