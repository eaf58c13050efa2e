using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Remediation;
using Xunit;

namespace LogicAppAuth.Tests.Remediation;

public class SecureWorkflowParametersTests
{
    private static JsonNode Workflow(string declared, string values) =>
        JsonNode.Parse($$"""{ "properties": { "definition": { "parameters": {{declared}} }, "parameters": {{values}} } }""")!;

    [Theory]
    [InlineData("""{ "apiKey": { "type": "SecureString" } }""", """{ "apiKey": {} }""", "apiKey")]
    [InlineData("""{ "apiKey": { "type": "securestring" }, "settings": { "type": "SecureObject", "defaultValue": {} } }""", """{ }""", "apiKey,settings")]
    [InlineData("""{ "apiKey": { "type": "SecureString" }, "$connections": { "type": "Object" } }""", """{ "apiKey": { "value": "s3cret" }, "$connections": {} }""", "")]
    [InlineData("""{ "region": { "type": "String" } }""", """{ }""", "")]
    public void NamesTheSecureParametersWhoseValueTheReadDoesNotHold(string declared, string values, string hidden) =>
        Assert.Equal(hidden, string.Join(",", SecureWorkflowParameters.Hidden(Workflow(declared, values))));

    [Fact]
    public void RefusesAWorkflowWithHiddenSecureParametersAsAnInvalidOperation()
    {
        var error = Assert.Throws<LogicAppAuthException>(() =>
            SecureWorkflowParameters.EnsureNoneHidden(Workflow("""{ "apiKey": { "type": "SecureString" } }""", "{}"), "/subscriptions/s/resourceGroups/g/providers/Microsoft.Logic/workflows/wf", "wf"));
        Assert.Equal("SecureParametersNotReturned", error.ErrorId);
        Assert.Equal(FailureKind.InvalidOperation, error.Kind);
        Assert.EndsWith("/workflows/wf", error.Target);
        Assert.Contains("(apiKey)", error.Message);
    }
}
