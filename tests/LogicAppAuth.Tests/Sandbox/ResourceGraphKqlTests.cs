using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.ResourceGraph;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>The KQL subset of the sandbox's Resource Graph, evaluated over a small in-memory table.</summary>
public sealed class ResourceGraphKqlTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Tables = new Dictionary<string, IReadOnlyList<string>>
    {
        ["Resources"] = ["id", "name", "type", "n", "properties", "tags"],
    };

    private static readonly JsonObject[] Data =
    [
        (JsonObject)JsonNode.Parse("""
            { "id": "1", "name": "Office365-Healthy", "type": "microsoft.web/connections", "n": 1, "tags": { "env": "prod" },
              "properties": { "api": { "name": "office365" }, "statuses": [ { "status": "Connected" } ] } }
            """)!,
        (JsonObject)JsonNode.Parse("""
            { "id": "2", "name": "sharepoint-revoked", "type": "microsoft.web/connections", "n": 2, "tags": null,
              "properties": { "api": { "name": "sharepointonline" }, "statuses": [ { "status": "Error", "target": "token",
                "error": { "code": "Unauthorized", "message": "Failed to refresh access token. Error: AADSTS50173: The provided grant has expired." } } ] } }
            """)!,
        (JsonObject)JsonNode.Parse("""
            { "id": "3", "name": "wf-invoice", "type": "microsoft.logic/workflows", "n": 3, "tags": {},
              "properties": { "state": "Enabled" } }
            """)!,
    ];

    private sealed class Row(JsonObject document) : IKqlSourceRow
    {
        public object? Column(string name) => KqlValues.FromJson(document[name]);

        public IReadOnlyList<string> Columns => Tables["Resources"];
    }

    private static List<JsonObject> Run(string query) =>
        KqlParser.Parse(query, Tables).Run(Data.Select(d => (IKqlSourceRow)new Row(d))).Select(r => r.ToJson()).ToList();

    private static string Ids(string query) => string.Join(",", Run(query).Select(r => (string?)r["id"]));

    [Theory]
    [InlineData("Resources | where type == 'microsoft.web/connections'", "1,2")]
    [InlineData("Resources | where type == 'Microsoft.Web/connections'", "")]
    [InlineData("Resources | where type =~ 'Microsoft.Web/Connections'", "1,2")]
    [InlineData("Resources | where type != 'microsoft.logic/workflows'", "1,2")]
    [InlineData("Resources | where type != 'MICROSOFT.LOGIC/WORKFLOWS'", "1,2,3")]
    [InlineData("Resources | where type !~ 'MICROSOFT.LOGIC/WORKFLOWS'", "1,2")]
    [InlineData("Resources | where name == \"wf-invoice\"", "3")]
    [InlineData("Resources | where n == 2", "2")]
    [InlineData("Resources | where n > 1 and n <= 3", "2,3")]
    public void EqualityOperatorsFollowKqlCaseRules(string query, string expected) => Assert.Equal(expected, Ids(query));

    [Theory]
    [InlineData("Resources | where name in ('wf-invoice', 'nope')", "3")]
    [InlineData("Resources | where name in ('WF-INVOICE')", "")]
    [InlineData("Resources | where name in~ ('WF-INVOICE', 'office365-healthy')", "1,3")]
    [InlineData("Resources | where name !in ('wf-invoice')", "1,2")]
    [InlineData("Resources | where name !in ('WF-INVOICE')", "1,2,3")]
    [InlineData("Resources | where name !in~ ('WF-INVOICE')", "1,2")]
    [InlineData("Resources | where n in (1, 3)", "1,3")]
    public void InOperators(string query, string expected) => Assert.Equal(expected, Ids(query));

    [Theory]
    [InlineData("Resources | where name has 'revoked'", "2")]
    [InlineData("Resources | where name has 'REVOKED'", "2")]
    [InlineData("Resources | where name has 'voke'", "")]
    [InlineData("Resources | where name has_cs 'REVOKED'", "")]
    [InlineData("Resources | where name !has 'revoked'", "1,3")]
    [InlineData("Resources | where name contains 'voke'", "2")]
    [InlineData("Resources | where name contains_cs 'Office'", "1")]
    [InlineData("Resources | where name contains_cs 'office'", "")]
    [InlineData("Resources | where name !contains 'OFFICE'", "2,3")]
    [InlineData("Resources | where name startswith 'office'", "1")]
    [InlineData("Resources | where name startswith_cs 'office'", "")]
    [InlineData("Resources | where name !startswith 'office'", "2,3")]
    [InlineData("Resources | where name endswith 'HEALTHY'", "1")]
    [InlineData("Resources | where name endswith_cs 'HEALTHY'", "")]
    [InlineData("Resources | where name !endswith_cs 'HEALTHY'", "1,2,3")]
    [InlineData("Resources | where properties.statuses[0].error.message has 'AADSTS50173'", "2")]
    [InlineData("Resources | where properties.statuses[0].error.message has 'AADSTS5017'", "")]
    public void StringOperators(string query, string expected) => Assert.Equal(expected, Ids(query));

    [Theory]
    [InlineData("Resources | where properties.statuses[0].status == 'Error'", "2")]
    [InlineData("Resources | where tostring(properties.statuses[0].error.code) == 'Unauthorized'", "2")]
    [InlineData("Resources | where properties['api']['name'] == 'office365'", "1")]
    [InlineData("Resources | where properties.api.name =~ 'SHAREPOINTONLINE'", "2")]
    [InlineData("Resources | where tostring(properties.missing.deeper) == ''", "1,2,3")]
    [InlineData("Resources | where isnotempty(properties.statuses[0].error)", "2")]
    [InlineData("Resources | where isempty(tostring(properties.api.name))", "3")]
    [InlineData("Resources | where tags.env == 'prod'", "1")]
    [InlineData("Resources | where tolower(name) == 'office365-healthy'", "1")]
    public void DynamicPathsAndFunctions(string query, string expected) => Assert.Equal(expected, Ids(query));

    [Theory]
    [InlineData("Resources | where not(name has 'revoked')", "1,3")]
    [InlineData("Resources | where type =~ 'microsoft.web/connections' and (name startswith 'office' or name startswith 'share')", "1,2")]
    [InlineData("Resources | where name startswith 'wf' or name startswith 'office' and n == 2", "3")]
    [InlineData("Resources | where (name startswith 'wf' or name startswith 'office') and n == 3", "3")]
    [InlineData("Resources | where not(n == 1) and not(n == 3)", "2")]
    [InlineData("where n == 2", "2")]
    [InlineData("resources | where n == 2", "2")]
    public void LogicAndImplicitTable(string query, string expected) => Assert.Equal(expected, Ids(query));

    [Theory]
    [InlineData("Resources | order by name asc", "1,2,3")]
    [InlineData("Resources | order by name", "3,2,1")]
    [InlineData("Resources | sort by n desc | take 2", "3,2")]
    [InlineData("Resources | order by type asc, n desc", "3,2,1")]
    [InlineData("Resources | limit 1", "1")]
    [InlineData("Resources | top 1 by n asc", "1")]
    [InlineData("Resources | top 2 by n", "3,2")]
    [InlineData("Resources | order by tostring(properties.statuses[0].status) asc", "3,1,2")]
    public void OrderingAndTaking(string query, string expected) => Assert.Equal(expected, Ids(query));

    [Fact]
    public void ProjectKeepsOnlyTheNamedColumnsInOrder()
    {
        var rows = Run("Resources | where n == 2 | project name, api = tostring(properties.api.name), properties.statuses[0].status, id");

        var row = Assert.Single(rows);
        Assert.Equal(["name", "api", "properties_statuses_0_status", "id"], row.Select(p => p.Key).ToArray());
        Assert.Equal("sharepointonline", (string?)row["api"]);
        Assert.Equal("Error", (string?)row["properties_statuses_0_status"]);
    }

    [Fact]
    public void ExtendAddsColumnsThatLaterOperatorsUse()
    {
        var rows = Run("Resources | extend st = tostring(properties.statuses[0].status), code = tostring(properties.statuses[0].error.code) | where st == 'Connected' or code == 'Unauthorized' | project id, st, code");

        Assert.Equal(["1", "2"], rows.Select(r => (string)r["id"]!));
        Assert.Equal("", (string?)rows[0]["code"]);
        Assert.Equal("Error", (string?)rows[1]["st"]);
    }

    [Fact]
    public void ExtendWithoutProjectKeepsTheWholeRow()
    {
        var row = Run("Resources | where n == 1 | extend api = tostring(properties.api.name)").Single();

        Assert.Equal("office365", (string?)row["api"]);
        Assert.Equal("Connected", (string?)row["properties"]!["statuses"]![0]!["status"]);
    }

    [Fact]
    public void CountReturnsOneRow() => Assert.Equal(2, (long)Run("Resources | where n > 1 | count").Single()["Count"]!);

    [Theory]
    [InlineData("Resources | summarize count() by type", "summarize")]
    [InlineData("Resources | mv-expand properties.statuses", "mv-expand")]
    [InlineData("Resources | where nosuch == 'x'", "nosuch")]
    [InlineData("Resources | where Name == 'x'", "Name")]
    [InlineData("Resources | where name == 'x", "not terminated")]
    [InlineData("Other | take 1", "Other")]
    [InlineData("Resources | where name matches regex 'x'", "matches")]
    [InlineData("Resources | take many", "take")]
    [InlineData("Resources | where (name == 'a'", "')'")]
    [InlineData("Resources | project name | where type == 'x'", "type")]
    [InlineData("Resources | where frobnicate(name)", "frobnicate")]
    [InlineData("Resources | where name == 'a' extra", "'extra'")]
    [InlineData("Resources | where name == 'a' | ", "end of query")]
    [InlineData("", "empty")]
    public void UnsupportedOrInvalidQueriesFail(string query, string mention)
    {
        var error = Assert.Throws<KqlException>(() => KqlParser.Parse(query, Tables));
        Assert.Contains(mention, error.Message, StringComparison.Ordinal);
    }
}
