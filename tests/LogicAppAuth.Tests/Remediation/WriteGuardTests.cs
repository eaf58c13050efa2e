using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Remediation;
using Xunit;

namespace LogicAppAuth.Tests.Remediation;

public sealed class WriteGuardTests
{
    private const string Workflow = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg/providers/Microsoft.Logic/workflows/wf";

    [Fact]
    public void A_resource_without_changedTime_or_etag_is_refused_rather_than_compared_equal()
    {
        var plan = new RemediationPlan(null!, new BackupStore(Path.Combine(Path.GetTempPath(), "unused-" + Guid.NewGuid())), Workflow, "", "");
        plan.Remember(Workflow, new JsonObject { ["id"] = Workflow, ["properties"] = new JsonObject() });
        var error = Assert.Throws<LogicAppAuthException>(() => plan.CheckUnchanged(Workflow, ""));
        Assert.Equal("NoChangeMarker", error.ErrorId);
        Assert.Equal(FailureKind.ResourceExists, error.Kind);
    }

    [Fact]
    public void A_resource_with_the_same_changedTime_passes()
    {
        var plan = new RemediationPlan(null!, new BackupStore(Path.Combine(Path.GetTempPath(), "unused-" + Guid.NewGuid())), Workflow, "", "");
        plan.Remember(Workflow, new JsonObject { ["properties"] = new JsonObject { ["changedTime"] = "2026-01-01T00:00:00Z" } });
        plan.CheckUnchanged(Workflow, "2026-01-01T00:00:00Z");
        Assert.Equal("ConcurrentChange", Assert.Throws<LogicAppAuthException>(() => plan.CheckUnchanged(Workflow, "2026-01-02T00:00:00Z")).ErrorId);
    }

    [Theory]
    [InlineData("2026-12-04T17:29:24.02906Z", "2026-12-04T17:29:24.0290600Z", true)]
    [InlineData("2026-12-04T17:29:24.02906Z", "2026-12-04T17:29:24.0290601Z", false)]
    [InlineData("sha256:0011", "sha256:0011", true)]
    [InlineData("sha256:0011", "sha256:0012", false)]
    public void Fingerprints_that_are_times_compare_by_instant(string a, string b, bool same) => Assert.Equal(same, JsonEdit.SameFingerprint(a, b));
}
