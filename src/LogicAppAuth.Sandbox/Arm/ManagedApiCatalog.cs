using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// <c>GET /subscriptions/{s}/providers/Microsoft.Web/locations/{loc}/managedApis[/{api}]</c>: the managed
/// connectors the scenarios use, with the parts a fix needs: <c>connectionParameters</c> (the OAuth
/// <c>token</c> parameter of delegated connectors), <c>connectionParameterSets</c> for multi-auth
/// connectors (the managed-identity one is <c>managedIdentityAuth</c> on most, <c>oauthMI</c> on Key Vault
/// and SQL) and <c>connectionAlternativeParameters</c> for
/// single-auth connectors that accept a managed identity as the alternative (azureautomation).
/// </summary>
public static class ManagedApiCatalog
{
    private const string IconBase = "https://conn-afd-prod-endpoint-bmc9bqahasf3grgk.b01.azurefd.net/releases/v1.0.1722/1.0.1722.3904";

    private const string ManagedIdentitySetDisplayName = "Logic Apps Managed Identity";

    private sealed record Api(string Name, string DisplayName, string Description, string BrandColor, Func<JsonObject> Build);

    private static readonly Api[] Apis =
    [
        new("office365", "Office 365 Outlook",
            "Microsoft Office 365 is a cloud-based service that is designed to help meet your organization's needs for robust security, reliability, and user productivity.",
            "#0078D4", () => OAuthOnly("office365", "https://graph.microsoft.com")),
        new("sharepointonline", "SharePoint",
            "SharePoint helps organizations share and collaborate with colleagues, partners, and customers.",
            "#036C70", () => OAuthOnly("sharepointonline", "https://microsoft.sharepoint.com")),
        new("teams", "Microsoft Teams",
            "Microsoft Teams enables you to get all your content, tools and conversations in the Team workspace with Office 365.",
            "#4B53BC", () => OAuthOnly("teams", "https://graph.microsoft.com")),
        new("azureblob", "Azure Blob Storage",
            "Microsoft Azure Storage provides a massively scalable, durable, and highly available storage for data on the cloud.",
            "#804998", () => MultiAuth(
                ParameterSet("keyBasedAuth", "Access Key", ("accountName", "string", "Azure Storage Account name or blob endpoint"), ("accessKey", "securestring", "Azure Storage Account Access Key")),
                ParameterSet("servicePrincipalAuth", "Service principal authentication", ("token:clientId", "string", "Client ID"), ("token:clientSecret", "securestring", "Client Secret"), ("token:TenantId", "string", "Tenant")),
                ParameterSet("managedIdentityAuth", ManagedIdentitySetDisplayName, ("accountName", "string", "Azure Storage Account name or blob endpoint")))),
        new("servicebus", "Service Bus",
            "Connect to Azure Service Bus to send and receive messages.",
            "#c4d5ff", () => MultiAuth(
                ParameterSet("connectionstringauth", "Access Key", ("connectionString", "securestring", "Azure Service Bus Connection String")),
                ParameterSet("managedIdentityAuth", ManagedIdentitySetDisplayName, ("namespaceEndpoint", "string", "Namespace Endpoint")))),
        new("keyvault", "Azure Key Vault",
            "Azure Key Vault is a service to securely store and access secrets.",
            "#0079d6", () => MultiAuth(
                ParameterSet("oauthDefault", "Default Azure AD application for OAuth", ("vaultName", "string", "Key vault name")),
                ParameterSet("oauthSP", "Service principal authentication", ("vaultName", "string", "Key vault name"), ("token:clientId", "string", "Client ID"), ("token:clientSecret", "securestring", "Client Secret"), ("token:TenantId", "string", "Tenant")),
                ParameterSet("oauthMI", ManagedIdentitySetDisplayName, ("vaultName", "string", "Key vault name")))),
        new("azureautomation", "Azure Automation",
            "Azure Automation provides tools to manage your cloud and on-premises infrastructure seamlessly.",
            "#56A0D7", () =>
            {
                var properties = OAuthOnly("azureautomation", "https://management.core.windows.net/");
                properties["connectionAlternativeParameters"] = new JsonObject
                {
                    ["authentication"] = new JsonObject
                    {
                        ["type"] = "managedIdentity",
                        ["uiDefinition"] = new JsonObject
                        {
                            ["displayName"] = "Logic Apps Managed Identity",
                            ["description"] = "Sign in with a Logic Apps Managed Identity",
                            ["tooltip"] = "Managed identity of the logic app",
                            ["constraints"] = new JsonObject { ["required"] = "true" },
                        },
                    },
                };
                return properties;
            }),
        new("sql", "SQL Server",
            "Microsoft SQL Server is a relational database management system developed by Microsoft.",
            "#ba141a", () => MultiAuth(
                ParameterSet("sqlAuthentication", "SQL Server Authentication", ("server", "string", "SQL server name"), ("database", "string", "SQL database name"), ("username", "securestring", "Username"), ("password", "securestring", "Password")),
                ParameterSet("oauthMI", ManagedIdentitySetDisplayName, ("server", "string", "SQL server name"), ("database", "string", "SQL database name")))),
    ];

    public static IResult? TryHandle(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, "Microsoft.Web");
        if (!HttpMethods.IsGet(context.Request.Method) || index != 2 || path.Segments.Length is < 7 or > 8
            || !path.Segments[4].Equals("locations", StringComparison.OrdinalIgnoreCase)
            || !path.Segments[6].Equals("managedApis", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        const string type = "Microsoft.Web/locations/managedApis";
        if (ArmRoutes.Authorize(state, caller, type + "/read", path.Path) is { } denied)
        {
            return denied;
        }

        var location = path.Segments[5];
        if (path.Segments.Length == 7)
        {
            return Results.Json(new JsonObject
            {
                ["value"] = new JsonArray(Apis.Select(a => (JsonNode)Document(path.SubscriptionScope!, location, a)).ToArray()),
            });
        }

        var api = Find(path.Segments[7]);
        return api is null
            ? ArmErrors.Error(404, "ApiNotFound", $"The API '{path.Segments[7]}' could not be found.")
            : Results.Json(Document(path.SubscriptionScope!, location, api));
    }

    /// <summary>The <c>properties.api</c> block a connection of this API carries; null for an unknown API.</summary>
    public static JsonObject? ConnectionApiBlock(string apiId)
    {
        var api = Find(apiId[(apiId.LastIndexOf('/') + 1)..]);
        return api is null
            ? null
            : new JsonObject
            {
                ["name"] = api.Name,
                ["displayName"] = api.DisplayName,
                ["description"] = api.Description,
                ["iconUri"] = $"{IconBase}/{api.Name}/icon.png",
                ["brandColor"] = api.BrandColor,
                ["category"] = "Standard",
                ["id"] = apiId,
                ["type"] = "Microsoft.Web/locations/managedApis",
            };
    }

    /// <summary>True when the API signs in a user with OAuth (its connectionParameters have an oauthSetting).</summary>
    public static bool IsDelegatedOAuth(string apiName) =>
        Find(apiName) is { } api && api.Build()["connectionParameters"]?["token"]?["type"]?.ToString() == "oauthSetting";

    /// <summary>True when connection properties pick the connector's managed-identity sign-in:
    /// <c>parameterValueType: Alternative</c>, or the parameter set the catalog names "Logic Apps Managed Identity"
    /// (<c>managedIdentityAuth</c> for a connector the catalog does not hold).</summary>
    public static bool UsesManagedIdentity(string apiName, JsonNode? properties)
    {
        if (string.Equals((string?)properties?["parameterValueType"], "Alternative", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var set = (string?)properties?["parameterValueSet"]?["name"];
        if (set is null)
        {
            return false;
        }

        return string.Equals(set, ManagedIdentitySets.Value.GetValueOrDefault(apiName, "managedIdentityAuth"), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Each catalog connector's managed-identity parameter set ("" when its sets have none; managedIdentityAuth
    /// when it has no sets), worked out once: run-history seeding asks for every connection of a tenant.</summary>
    private static readonly Lazy<Dictionary<string, string>> ManagedIdentitySets = new(() => Apis.ToDictionary(
        a => a.Name,
        a => a.Build()["connectionParameterSets"]?["values"] is JsonArray sets
            ? sets.FirstOrDefault(s => (string?)s?["uiDefinition"]?["displayName"] == ManagedIdentitySetDisplayName)?["name"]?.ToString() ?? ""
            : "managedIdentityAuth",
        StringComparer.OrdinalIgnoreCase));

    private static Api? Find(string name) => Apis.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static JsonObject Document(string subscriptionScope, string location, Api api)
    {
        var properties = api.Build();
        properties.Insert(0, "name", api.Name);
        properties["generalInformation"] = new JsonObject
        {
            ["iconUrl"] = $"{IconBase}/{api.Name}/icon.png",
            ["displayName"] = api.DisplayName,
            ["description"] = api.Description,
            ["releaseTag"] = "Production",
            ["tier"] = "Standard",
        };
        properties["metadata"] = new JsonObject { ["source"] = "marketplace", ["brandColor"] = api.BrandColor, ["useNewApimVersion"] = "true", ["version"] = new JsonObject { ["previous"] = null, ["current"] = "1.0.1722.3904" } };
        properties["runtimeUrls"] = new JsonArray($"https://logic-apis-{location}.azure-apim.net/apim/{api.Name}");
        properties["capabilities"] = new JsonArray("actions");
        properties["apiDefinitions"] = new JsonObject
        {
            ["originalSwaggerUrl"] = $"https://logic-apis-{location}.azure-apim.net/v1.0/apis/{api.Name}/apiDefinitions/original",
            ["modifiedSwaggerUrl"] = $"https://logic-apis-{location}.azure-apim.net/v1.0/apis/{api.Name}/apiDefinitions/modified",
        };
        return new JsonObject
        {
            ["properties"] = properties,
            ["id"] = $"{subscriptionScope}/providers/Microsoft.Web/locations/{location}/managedApis/{api.Name}",
            ["name"] = api.Name,
            ["type"] = "Microsoft.Web/locations/managedApis",
            ["location"] = location,
        };
    }

    private static JsonObject OAuthOnly(string identityProvider, string resource) => new()
    {
        ["connectionParameters"] = new JsonObject
        {
            ["token"] = new JsonObject
            {
                ["type"] = "oauthSetting",
                ["oAuthSettings"] = new JsonObject
                {
                    ["identityProvider"] = identityProvider,
                    ["clientId"] = "7ab7862c-4c57-491e-8a45-d52a7e023983",
                    ["scopes"] = new JsonArray(),
                    ["redirectMode"] = "GlobalPerConnector",
                    ["redirectUrl"] = "https://global.consent.azure-apim.net/redirect/" + identityProvider,
                    ["properties"] = new JsonObject { ["IsFirstParty"] = "True", ["AzureActiveDirectoryResourceId"] = resource },
                    ["customParameters"] = new JsonObject(),
                },
                ["uiDefinition"] = new JsonObject
                {
                    ["displayName"] = "Login with your credentials",
                    ["description"] = "Log in with your account",
                    ["tooltip"] = "Provide credentials",
                    ["constraints"] = new JsonObject { ["required"] = "true" },
                },
            },
        },
    };

    private static JsonObject MultiAuth(params JsonObject[] sets) => new()
    {
        ["connectionParameterSets"] = new JsonObject
        {
            ["uiDefinition"] = new JsonObject { ["displayName"] = "Authentication Type", ["description"] = "Type of authentication to be used." },
            ["values"] = new JsonArray(sets.Select(s => (JsonNode)s).ToArray()),
        },
    };

    private static JsonObject ParameterSet(string name, string displayName, params (string Name, string Type, string DisplayName)[] parameters) => new()
    {
        ["name"] = name,
        ["uiDefinition"] = new JsonObject { ["displayName"] = displayName, ["description"] = displayName },
        ["parameters"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)new JsonObject
        {
            ["type"] = p.Type,
            ["uiDefinition"] = new JsonObject
            {
                ["displayName"] = p.DisplayName,
                ["description"] = p.DisplayName,
                ["tooltip"] = p.DisplayName,
                ["constraints"] = new JsonObject { ["required"] = "true" },
            },
        }))),
    };
}
