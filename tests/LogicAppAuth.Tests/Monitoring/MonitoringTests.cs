using System.Text;
using System.Text.Json;
using LogicAppAuth.Engine.Monitoring;
using LogicAppAuth.Engine.Operations;
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

public class WorkflowConnectionsTests
{
    [Fact]
    public void MapsNestedApiConnectionActionsToTheirConnections()
    {
        var workflow = JsonDocument.Parse("""
        { "properties": {
            "definition": { "actions": {
              "Send": { "type": "ApiConnection", "inputs": { "host": { "connection": { "name": "@parameters('$connections')['office365']['connectionId']" } } } },
              "Scope": { "type": "Scope", "actions": { "Inner": { "inputs": { "host": { "connection": { "name": "@parameters('$connections')['sb']['connectionId']" } } } } } },
              "If": { "type": "If", "actions": {}, "else": { "actions": { "Other": { "inputs": { "host": { "connection": { "name": "@parameters('$connections')['office365']['connectionId']" } } } } } } } } },
            "parameters": { "$connections": { "value": { "office365": { "connectionId": "/c/o365" }, "sb": { "connectionId": "/c/sb" } } } } } }
        """).RootElement;
        var map = WorkflowConnections.ActionConnections(workflow);
        Assert.Equal("/c/o365", map["Send"]);
        Assert.Equal("/c/sb", map["Inner"]);
        Assert.Equal("/c/o365", map["Other"]);
    }

    [Theory]
    [InlineData("""{ "properties": { "status": "Failed", "code": "Unauthorized" } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "BadRequest", "error": { "code": "Forbidden" } } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "BadRequest", "error": { "message": "AADSTS700082: expired" } } }""", true)]
    [InlineData("""{ "properties": { "status": "Failed", "code": "NotFound" } }""", false)]
    public void RecognisesAuthenticationFailures(string action, bool expected) =>
        Assert.Equal(expected, WorkflowConnections.IsAuthFailure(JsonDocument.Parse(action).RootElement));
}
