using System.Text.Json;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Diagnosis;
using Xunit;

namespace LogicAppAuth.Tests.Diagnosis;

public class RoleAndCredentialTests
{
    private static RoleDefinitionInfo Role(string json) => RoleDefinitionInfo.Read(JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("*", "Microsoft.Web/connections/read", true)]
    [InlineData("*/read", "Microsoft.Web/connections/read", true)]
    [InlineData("*/read", "Microsoft.Web/connections/write", false)]
    [InlineData("Microsoft.ServiceBus/*", "microsoft.servicebus/namespaces/messages/send/action", true)]
    [InlineData("Microsoft.ServiceBus/namespaces/messages/send/action", "Microsoft.ServiceBus/namespaces/messages/receive/action", false)]
    [InlineData("Microsoft.Storage/*/blobs/read", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", true)]
    public void Patterns_match_like_Azure_RBAC(string pattern, string action, bool expected) =>
        Assert.Equal(expected, RoleMatcher.PatternMatches(pattern, action));

    [Fact]
    public void Data_actions_are_granted_only_by_data_roles_and_not_data_actions_exclude()
    {
        var owner = Role("""{"id":"/x/8e3a","properties":{"roleName":"Owner","permissions":[{"actions":["*"],"notActions":[],"dataActions":[],"notDataActions":[]}]}}""");
        var sender = Role("""{"properties":{"roleName":"Azure Service Bus Data Sender","permissions":[{"actions":[],"dataActions":["Microsoft.ServiceBus/*/send/action"],"notDataActions":[]}]}}""");
        var limited = Role("""{"properties":{"roleName":"x","permissions":[{"dataActions":["Microsoft.ServiceBus/*"],"notDataActions":["Microsoft.ServiceBus/namespaces/messages/send/action"]}]}}""");
        const string send = "Microsoft.ServiceBus/namespaces/messages/send/action";
        Assert.False(RoleMatcher.Grants(owner, send, dataAction: true));
        Assert.True(RoleMatcher.Grants(owner, "Microsoft.ServiceBus/namespaces/read", dataAction: false));
        Assert.True(RoleMatcher.Grants(sender, send, dataAction: true));
        Assert.False(RoleMatcher.Grants(limited, send, dataAction: true));
        Assert.Equal("Owner", owner.RoleName);
    }

    [Theory]
    [InlineData("/subscriptions/s", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb", true)]
    [InlineData("/subscriptions/S/resourcegroups/RG", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb", true)]
    [InlineData("/subscriptions/s/resourceGroups/rg2", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb", true)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb2", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb", false)]
    [InlineData("/", "/subscriptions/s", true)]
    public void Scopes_cover_themselves_and_what_is_below(string scope, string resource, bool expected) =>
        Assert.Equal(expected, RoleMatcher.ScopeCovers(scope, resource));

    [Theory]
    [InlineData("sb://sb-contoso-orders.servicebus.windows.net/", "sb-contoso-orders")]
    [InlineData("https://stcontosodata.blob.core.windows.net", "stcontosodata")]
    [InlineData("kv-contoso-secrets", "kv-contoso-secrets")]
    [InlineData("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a", "x")]
    public void Target_names_come_from_names_or_endpoints(string value, string expected) =>
        Assert.Equal(expected, ConnectorRequirements.ResourceNameFrom(value));

    [Fact]
    public void Connectors_map_to_their_data_roles()
    {
        Assert.Equal("Microsoft.ServiceBus/namespaces", ConnectorRequirements.For("servicebus")!.ResourceType);
        Assert.Equal("Key Vault Secrets User", ConnectorRequirements.For("keyvault")!.LeastPrivilegedRole);
        Assert.Null(ConnectorRequirements.For("office365"));
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<(DiagnosisCause Cause, string Evidence)> Evaluate(string json) =>
        CredentialCheck.Evaluate(JsonDocument.Parse(json).RootElement, Now);

    [Fact]
    public void An_application_whose_only_secret_ended_has_an_expired_secret()
    {
        var result = Evaluate("""{"appId":"7c1e","displayName":"app-kv","passwordCredentials":[{"endDateTime":"2025-06-30T08:00:00Z"}],"keyCredentials":[]}""");
        var (cause, evidence) = Assert.Single(result);
        Assert.Equal(DiagnosisCause.SecretExpired, cause);
        Assert.Equal("Graph: application app-kv (7c1e): its only client secret ended 2025-06-30", evidence);
    }

    [Fact]
    public void One_valid_credential_of_a_kind_is_enough()
    {
        Assert.Empty(Evaluate("""{"appId":"a","passwordCredentials":[{"endDateTime":"2025-06-30T08:00:00Z"},{"endDateTime":"2030-01-01T00:00:00Z"}]}"""));
        var result = Evaluate("""{"appId":"a","passwordCredentials":[{"endDateTime":"2030-01-01T00:00:00Z"}],"keyCredentials":[{"endDateTime":"2025-09-15T12:00:00Z"},{"endDateTime":"2025-01-15T12:00:00Z"}]}""");
        var (cause, evidence) = Assert.Single(result);
        Assert.Equal(DiagnosisCause.CertificateExpired, cause);
        Assert.Contains("all 2 certificates ended (latest 2025-09-15)", evidence);
    }

    [Fact]
    public void An_application_without_credentials_cannot_sign_in()
    {
        Assert.Equal(DiagnosisCause.SecretExpired, Assert.Single(Evaluate("""{"appId":"a","passwordCredentials":[],"keyCredentials":[]}""")).Cause);
    }

    [Theory]
    [InlineData("MeganB@contoso.onmicrosoft.com", "users/MeganB@contoso.onmicrosoft.com?$select=")]
    [InlineData("john.doe_fabrikam.com#EXT#@contoso.onmicrosoft.com", "users/john.doe_fabrikam.com%23EXT%23@contoso.onmicrosoft.com?$select=")]
    [InlineData("$svc@contoso.com", "users('%24svc@contoso.com')?$select=")]
    public void User_paths_escape_guest_and_dollar_names(string upn, string expectedStart)
    {
        var path = ConnectorDiagnostician.UserPath(upn).Replace("%40", "@");
        Assert.StartsWith(expectedStart, path);
        Assert.Contains("accountEnabled", path);
    }

    [Theory]
    [InlineData("https://management.azure.com:443/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/extensions/proxy/testconnection?api-version=2018-07-01-preview", true)]
    [InlineData("https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/other/extensions/proxy/testconnection", false)]
    [InlineData("https://evil.example/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/../../x", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/x\\..\\..\\..\\sites\\app", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/%2e%2e/%2E%2E/%2e%2e/sites/app?api-version=1", false)]
    [InlineData("https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/x%2f..%2f..%2fother", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/./extensions", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/extensions/proxy/testconnection?api-version=2018-07-01-preview", true)]
    public void Live_tests_only_call_paths_under_the_connection(string uri, bool allowed)
    {
        var path = ConnectorDiagnostician.PathUnder(uri, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c");
        Assert.Equal(allowed, path != null);
        if (path != null)
        {
            Assert.StartsWith("/subscriptions/s/", path);
        }
    }

    [Theory]
    [InlineData("""{"request":{"method":"get","path":"testconnection"}}""", true)]
    [InlineData("""{"request":{"method":"post","path":"messages"}}""", false)]
    [InlineData("not json", false)]
    public void DynamicInvoke_is_sent_only_for_reads(string body, bool expected) => Assert.Equal(expected, ConnectorDiagnostician.IsReadOnlyInvoke(body));
}
