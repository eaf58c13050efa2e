using System.Text;
using System.Text.Json;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Monitoring;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.RunHistory;
using Xunit;

namespace LogicAppAuth.Tests.Monitoring;

public class PrometheusTextTests
{
    [Fact]
    public void WritesFamiliesThatParseBackWithEscapedLabels()
    {
        var text = new StringBuilder();
        var labels = new List<KeyValuePair<string, string>> { new("connection", "a\"b\\c\nd"), new("api", "office365") };
        PrometheusText.WriteFamily(text, "azure_logicapp_auth_failures_total", "counter", "Failures.", new[] { new MetricSample("azure_logicapp_auth_failures_total", labels, 3) });
        Assert.StartsWith("# HELP azure_logicapp_auth_failures_total Failures.\n# TYPE azure_logicapp_auth_failures_total counter\n", text.ToString());
        var sample = Assert.Single(PrometheusText.Parse(text.ToString()));
        Assert.Equal(3, sample.Value);
        Assert.Equal("a\"b\\c\nd", sample.Labels[0].Value);
        Assert.Equal("-0.5", PrometheusText.FormatValue(-0.5));
        Assert.Equal("+Inf", PrometheusText.FormatValue(double.PositiveInfinity));
    }

    [Fact]
    public void ReplacesTheFileAtomicallyAndLeavesNoTemporaryFile()
    {
        var folder = Directory.CreateTempSubdirectory("prom-").FullName;
        var path = Path.Combine(folder, "x.prom");
        AtomicFile.Write(path, "a 1\n");
        AtomicFile.Write(path, "a 2\n");
        Assert.Equal("a 2\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder));
        Directory.Delete(folder, true);
    }
}

public class RunHistoryRuleTests
{
    [Fact]
    public void AttributesNestedActionsAndTriggersToTheirConnectionReferences()
    {
        var workflow = JsonDocument.Parse("""
        { "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Logic/workflows/wf", "name": "wf", "properties": {
            "definition": {
              "triggers": { "When": { "inputs": { "host": { "connection": { "referenceName": "sb" } } } } },
              "actions": {
              "Send": { "type": "ApiConnection", "inputs": { "host": { "connection": { "name": "@parameters('$connections')['office365']['connectionId']" } } } },
              "Scope": { "type": "Scope", "actions": { "Inner": { "inputs": { "host": { "connection": { "name": "@parameters('$connections')['sb']['connectionId']" } } } } } },
              "If": { "type": "If", "actions": {}, "else": { "actions": { "Other": { "inputs": { "host": { "connection": { "name": "@parameters('$connections')['office365']['connectionId']" } } } } } } } } },
            "parameters": { "$connections": { "value": { "office365": { "connectionId": "/c/o365" }, "sb": { "connectionId": "/c/sb" } } } } } }
        """).RootElement;
        var references = ConnectionReferenceReader.ReadWorkflow(workflow);
        var failed = new[] { "Send", "Inner", "Other", "When" }.Select((name, i) => new FailedAction($"run{i}", null, name, "Unauthorized", "")).ToList();

        var office = FailedRunReader.RunsThrough(failed, references.Where(r => r.ConnectionId == "/c/o365").ToList());
        var serviceBus = FailedRunReader.RunsThrough(failed, references.Where(r => r.ConnectionId == "/c/sb").ToList());

        Assert.Equal(new[] { "run0", "run2" }, office.Select(r => r.Key));
        Assert.Equal(new[] { "run1", "run3" }, serviceBus.Select(r => r.Key));
    }

    [Fact]
    public void AttributesAnActionNamingNoReferenceOnlyWhenTheWorkflowHasOneConnection()
    {
        var one = new[] { new ConnectionReference { ReferenceName = "a", ReferenceCount = 1 } };
        var two = new[] { new ConnectionReference { ReferenceName = "a", ReferenceCount = 2 } };
        var failed = new[] { new FailedAction("run", null, "HTTP", "401", "") };

        Assert.Single(FailedRunReader.RunsThrough(failed, one));
        Assert.Empty(FailedRunReader.RunsThrough(failed, two));
    }

    [Theory]
    [InlineData("""{ "properties": { "status": "Failed", "code": "Unauthorized" } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "BadRequest", "error": { "code": "Forbidden" } } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "BadRequest", "error": { "message": "AADSTS700082: expired" } } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "BadRequest", "error": { "message": "The caller is not authorized to perform this action" } } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "NotFound" } }""", false)]
    public void RecognisesAuthenticationFailures(string action, bool expected) =>
        Assert.Equal(expected, FailedRunReader.IsAuthFailure(JsonDocument.Parse(action).RootElement));
}
