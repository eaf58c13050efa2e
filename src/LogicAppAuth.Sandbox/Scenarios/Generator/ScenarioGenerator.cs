using System.Globalization;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.Scenarios.Generator;

/// <summary>
/// Builds a large, realistic tenant deterministically from <see cref="GeneratorOptions"/> (same
/// options and seed, same ids): subscriptions with resource groups, API connections with a realistic
/// mix of healthy and broken ones, Consumption workflows and Standard apps that use them, and the Graph
/// users and applications they point at. Format and counts: Scenarios/README.md.
/// </summary>
public sealed partial class ScenarioGenerator
{
    public const string TenantId = "6d2a1c44-5a3b-4f0e-9c1d-2b7e8f3a4c10";
    public const string Domain = "contoso.onmicrosoft.com";

    /// <summary>The principals that get tokens, taken from the contoso scenario so that the ready-file has the same credentials.</summary>
    public static readonly string[] BasePrincipals = ["admin", "reader", "norole", "automation-identity"];

    private static readonly string[] Locations = ["westeurope", "northeurope", "eastus2", "swedencentral"];
    private static readonly string[] FirstNames = ["Megan", "Adele", "Lee", "Diego", "Isaiah", "Alex", "Grady", "Henrietta", "Johanna", "Lidia", "Lynne", "Miriam", "Nestor", "Patti", "Pradeep", "Joni"];
    private static readonly string[] LastNames = ["Bowen", "Vance", "Gu", "Siciliani", "Langer", "Wilber", "Archie", "Mueller", "Lorenz", "Holloway", "Robbins", "Graham", "Wilke", "Fernandez", "Gupta", "Sherman"];

    private sealed record Api(string Name, string DisplayName, string Description, string Brand);

    private static readonly Api[] OAuthApis =
    [
        new("office365", "Office 365 Outlook", "Microsoft Office 365 is a cloud-based service that is designed to help meet your organization's needs for robust security, reliability, and user productivity.", "#0078D4"),
        new("sharepointonline", "SharePoint", "SharePoint helps organizations share and collaborate with colleagues, partners, and customers.", "#036C70"),
        new("teams", "Microsoft Teams", "Microsoft Teams enables you to get all your content, tools and conversations in the Team workspace with Microsoft 365.", "#4B53BC"),
        new("onedriveforbusiness", "OneDrive for Business", "OneDrive for Business is a cloud storage, file hosting service that allows users to sync files and later access them from a web browser or mobile device.", "#0078D4"),
        new("excelonlinebusiness", "Excel Online (Business)", "Excel Online (Business) connector lets you work with Excel files in document libraries supported by Microsoft Graph.", "#107C41"),
    ];

    private static readonly Api[] IdentityApis =
    [
        new("azureblob", "Azure Blob Storage", "Microsoft Azure Storage provides a massively scalable, durable, and highly available storage for data on the cloud.", "#804998"),
        new("servicebus", "Service Bus", "Connect to Azure Service Bus to send and receive messages.", "#c4d5ff"),
        new("keyvault", "Azure Key Vault", "Azure Key Vault is a service to securely store and access secrets.", "#0079d6"),
        new("sql", "SQL Server", "Microsoft SQL Server is a relational database management system developed by Microsoft.", "#ba141a"),
    ];

    private enum AuthKind { OAuth, ManagedIdentity, ServicePrincipal }

    private enum AppState { Valid, SecretExpired, CertificateExpired }

    private sealed record Group(string SubscriptionId, string Name, string Location)
    {
        public string Id => $"/subscriptions/{SubscriptionId}/resourceGroups/{Name}";
    }

    private sealed record Connection(string Id, string Name, Api Api, AuthKind Auth, Group Group, string? RuntimeUrl);

    private sealed record Application(string AppId, AppState State, DateTime CredentialEnd);

    private readonly GeneratorOptions _options;
    private readonly Random _random;
    private readonly DateTimeOffset _anchor;
    private readonly DateTime _today;
    private readonly Scenario _scenario = new();
    private readonly List<List<Group>> _groups = [];
    private readonly List<Application> _applications = [];
    private readonly List<string> _users = [];
    private readonly Dictionary<string, string> _apiIds = new(StringComparer.Ordinal);

    private ScenarioGenerator(GeneratorOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _anchor = options.Now ?? DateTimeOffset.UtcNow;
        _today = _anchor.UtcDateTime.Date;
    }

    /// <param name="options">Sizes and seed.</param>
    /// <param name="basePrincipals">The scenario the token principals come from (contoso when null).</param>
    public static Scenario Generate(GeneratorOptions options, Scenario? basePrincipals = null) =>
        new ScenarioGenerator(options).Build(basePrincipals ?? Scenario.Load("contoso", options.Now));

    /// <summary>A version-4-shaped GUID that depends only on seed, kind and index (cheap: no cryptographic hash).</summary>
    private Guid NewGuid(string kind, int index)
    {
        var kindHash = 14_695_981_039_346_656_037UL;
        foreach (var c in kind)
        {
            kindHash = (kindHash ^ c) * 1_099_511_628_211UL;
        }

        var high = Mix((ulong)(uint)_options.Seed * 0x9E37_79B9_7F4A_7C15UL ^ kindHash ^ (ulong)(uint)index << 32 ^ (ulong)(uint)index);
        var low = Mix(high ^ kindHash);
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, high);
        BitConverter.TryWriteBytes(bytes[8..], low);
        bytes[7] = (byte)(bytes[7] & 0x0F | 0x40); // version 4
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ z >> 30) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ z >> 27) * 0x94D0_49BB_1331_11EBUL;
        return z ^ z >> 31;
    }

    private string Id(string kind, int index) => NewGuid(kind, index).ToString();

    private string Hex(string kind, int index) => NewGuid(kind, index).ToString("N");

    private bool Chance(double probability) => _random.NextDouble() < probability;

    private Scenario Build(Scenario contoso)
    {
        _scenario.Name = "generated";
        _scenario.ShareResourceDocuments = true;
        _scenario.TimeAnchor = _anchor;
        _scenario.HomeTenantId = TenantId;
        _scenario.Tenants.Add(new ScenarioTenant { TenantId = TenantId, DisplayName = "Contoso (generated)", DefaultDomain = Domain });
        AddSubscriptions();
        AddPrincipals(contoso);
        AddUsers();
        AddApplications();
        var (v1, v2) = AddConnections();
        AddWorkflows(v1);
        AddStandardApps(v2);
        return _scenario;
    }

    private void AddSubscriptions()
    {
        var managementGroup = new ScenarioManagementGroup { Name = "mg-generated", DisplayName = "Generated tenant" };
        for (var s = 0; s < _options.Subscriptions; s++)
        {
            var subscriptionId = Id("subscription", s);
            _scenario.Subscriptions.Add(new ScenarioSubscription
            {
                SubscriptionId = subscriptionId,
                TenantId = TenantId,
                DisplayName = $"Contoso Generated {s + 1:00}",
            });
            managementGroup.Subscriptions.Add(subscriptionId);

            var groups = new List<Group>();
            var count = 3 + s % 3;
            for (var g = 0; g < count; g++)
            {
                var group = new Group(subscriptionId, $"rg-integration-{g + 1:00}", Locations[(s + g) % Locations.Length]);
                groups.Add(group);
                _scenario.ResourceGroups.Add(new ScenarioResourceGroup { SubscriptionId = subscriptionId, Name = group.Name, Location = group.Location });
            }

            _groups.Add(groups);
        }

        _scenario.ManagementGroups.Add(managementGroup);
    }

    private void AddPrincipals(Scenario contoso)
    {
        foreach (var name in BasePrincipals)
        {
            var principal = contoso.FindPrincipalByName(name) ?? throw new InvalidDataException($"The contoso scenario has no principal '{name}'.");
            _scenario.Principals.Add(principal);
            _scenario.Graph.ServicePrincipals.AddRange(contoso.Graph.ServicePrincipals
                .Where(sp => string.Equals((string?)sp["appId"], principal.AppId, StringComparison.OrdinalIgnoreCase))
                .Select(sp => (JsonObject)sp.DeepClone()));
            _scenario.Graph.Applications.AddRange(contoso.Graph.Applications
                .Where(app => string.Equals((string?)app["appId"], principal.AppId, StringComparison.OrdinalIgnoreCase))
                .Select(app => (JsonObject)app.DeepClone()));
        }

        void Assign(string principalName, string role, string subscriptionId)
        {
            var principal = _scenario.FindPrincipalByName(principalName)!;
            _scenario.RoleAssignments.Add(new ScenarioRoleAssignment
            {
                PrincipalId = principal.ObjectId,
                PrincipalType = "ServicePrincipal",
                Role = role,
                Scope = "/subscriptions/" + subscriptionId,
            });
        }

        for (var s = 0; s < _scenario.Subscriptions.Count; s++)
        {
            var subscriptionId = _scenario.Subscriptions[s].SubscriptionId;
            Assign("admin", "Owner", subscriptionId);
            Assign("automation-identity", s == 0 ? "Owner" : "Reader", subscriptionId);
            if (s == 0)
            {
                Assign("reader", "Reader", subscriptionId);
            }
        }
    }

    private void AddUsers()
    {
        for (var u = 0; u < _options.UserCount; u++)
        {
            var first = FirstNames[u % FirstNames.Length];
            var last = LastNames[u / FirstNames.Length % LastNames.Length];
            var upn = $"{first}.{last}{u:00000}@{Domain}";
            _users.Add(upn);
            _scenario.Graph.Users.Add(new JsonObject
            {
                ["id"] = Id("user", u),
                ["displayName"] = $"{first} {last} ({u})",
                ["givenName"] = first,
                ["surname"] = last,
                ["userPrincipalName"] = upn,
                ["mail"] = upn,
                ["jobTitle"] = null,
                ["accountEnabled"] = !Chance(0.05),
                ["userType"] = "Member",
                ["businessPhones"] = new JsonArray(),
                ["mobilePhone"] = null,
                ["officeLocation"] = null,
                ["preferredLanguage"] = "en-US",
            });
        }
    }

    private void AddApplications()
    {
        for (var a = 0; a < _options.Applications; a++)
        {
            var appId = Id("appId", a);
            var name = $"app-logic-gen-{a + 1:000}";
            var roll = _random.NextDouble();
            var created = _today.AddDays(-_random.Next(400, 1500));
            var passwords = new JsonArray();
            var keys = new JsonArray();
            AppState state;
            DateTime end;
            if (roll < 0.10)
            {
                state = AppState.SecretExpired;
                end = _today.AddDays(-_random.Next(5, 400));
                passwords.Add(Password(a, end));
            }
            else if (roll < 0.15)
            {
                state = AppState.CertificateExpired;
                end = _today.AddDays(-_random.Next(5, 400));
                keys.Add(Key(a, end));
            }
            else
            {
                state = AppState.Valid;
                end = roll < 0.25 ? _today.AddDays(_random.Next(1, 30)) : _today.AddDays(_random.Next(60, 730));
                if (roll < 0.21 || roll >= 0.40)
                {
                    passwords.Add(Password(a, end));
                }
                else
                {
                    keys.Add(Key(a, end));
                }

                if (roll >= 0.90)
                {
                    // An older secret that has expired next to the current one.
                    passwords.Add(Password(a + 100_000, _today.AddDays(-_random.Next(30, 300))));
                }
            }

            _applications.Add(new Application(appId, state, end));
            _scenario.Graph.Applications.Add(new JsonObject
            {
                ["id"] = Id("application", a),
                ["appId"] = appId,
                ["displayName"] = name,
                ["createdDateTime"] = Time(created),
                ["signInAudience"] = "AzureADMyOrg",
                ["publisherDomain"] = Domain,
                ["passwordCredentials"] = passwords,
                ["keyCredentials"] = keys,
            });
            if (a < _options.ServicePrincipalCount)
            {
                _scenario.Graph.ServicePrincipals.Add(new JsonObject
                {
                    ["id"] = Id("servicePrincipal", a),
                    ["appId"] = appId,
                    ["displayName"] = name,
                    ["servicePrincipalType"] = "Application",
                    ["accountEnabled"] = true,
                    ["appOwnerOrganizationId"] = TenantId,
                    ["createdDateTime"] = Time(created),
                });
            }
        }
    }

    private JsonObject Password(int index, DateTime end) => new()
    {
        ["customKeyIdentifier"] = null,
        ["displayName"] = "logic-connector",
        ["endDateTime"] = Time(end),
        ["hint"] = Hex("hint", index)[..3],
        ["keyId"] = Id("passwordKey", index),
        ["secretText"] = null,
        ["startDateTime"] = Time(end.AddYears(-1)),
    };

    private JsonObject Key(int index, DateTime end)
    {
        var thumbprint = (Hex("thumb", index) + Hex("thumb2", index))[..40].ToUpperInvariant();
        return new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.keyCredential",
            ["customKeyIdentifier"] = thumbprint,
            ["displayName"] = "CN=app-logic-gen",
            ["endDateTime"] = Time(end),
            ["key"] = null,
            ["keyId"] = Id("certificateKey", index),
            ["startDateTime"] = Time(end.AddYears(-1)),
            ["type"] = "AsymmetricX509Cert",
            ["usage"] = "Verify",
        };
    }

    private static string Time(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string ArmTime(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private string ApiId(string subscriptionId, string location, string api)
    {
        var key = $"{subscriptionId}|{location}|{api}";
        if (!_apiIds.TryGetValue(key, out var id))
        {
            id = $"/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis/{api}";
            _apiIds[key] = id;
        }

        return id;
    }

    /// <summary>V1 connections for workflows, and per Standard app its V2 connections.</summary>
    private (Dictionary<Group, List<Connection>> V1, List<List<Connection>> V2) AddConnections()
    {
        var v2 = new List<List<Connection>>();
        var v1 = new Dictionary<Group, List<Connection>>();
        var remaining = _options.Connections;
        var number = 0;

        // Standard apps first: each uses 1 to 3 V2 connections in its resource group (at most half of all connections).
        var v2Budget = _options.Connections / 2;
        for (var a = 0; a < _options.StandardApps; a++)
        {
            var group = StandardAppGroup(a);
            var wanted = Math.Min(1 + _random.Next(3), Math.Min(v2Budget, remaining));
            var list = new List<Connection>();
            for (var k = 0; k < wanted; k++)
            {
                list.Add(AddConnection(number++, group, "V2"));
            }

            v2Budget -= wanted;
            remaining -= wanted;
            v2.Add(list);
        }

        for (var i = 0; remaining > 0; i++, remaining--)
        {
            var groups = _groups[i % _groups.Count];
            var group = groups[i / _groups.Count % groups.Count];
            var connection = AddConnection(number++, group, "V1");
            if (!v1.TryGetValue(group, out var list))
            {
                v1[group] = list = [];
            }

            list.Add(connection);
        }

        return (v1, v2);
    }

    private Group StandardAppGroup(int app)
    {
        var groups = _groups[app % _groups.Count];
        return groups[app / _groups.Count % groups.Count];
    }

    private Connection AddConnection(int number, Group group, string kind)
    {
        var roll = _random.NextDouble();
        var auth = roll < 0.65 ? AuthKind.OAuth : roll < 0.85 ? AuthKind.ManagedIdentity : AuthKind.ServicePrincipal;
        var api = auth == AuthKind.OAuth ? OAuthApis[_random.Next(OAuthApis.Length)] : IdentityApis[_random.Next(IdentityApis.Length)];
        var name = $"{api.Name}-{(kind == "V2" ? "v2-" : "")}{number:00000}";
        var id = $"{group.Id}/providers/Microsoft.Web/connections/{name}";
        var created = _today.AddDays(-_random.Next(30, 900)).AddSeconds(_random.Next(86_400));

        var nonSecret = new JsonObject();
        JsonObject authenticatedUser = new();
        JsonObject? parameterValueSet = null;
        string displayName = name;
        string? error = null;
        string? errorCode = null;
        var failedAt = _today.AddDays(-_random.Next(1, 120)).AddSeconds(_random.Next(86_400));
        var correlation = Id("correlation", number);
        var trace = Id("trace", number);

        switch (auth)
        {
            case AuthKind.OAuth:
            {
                var user = Chance(0.02)
                    ? $"departed.user{number:00000}@{Domain}" // referenced, but absent from Graph
                    : _users.Count == 0 ? $"someone@{Domain}" : _users[_random.Next(_users.Count)];
                nonSecret["token:TenantId"] = TenantId;
                nonSecret["token:grantType"] = "code";
                var outcome = _random.NextDouble();
                if (outcome < 0.05)
                {
                    errorCode = "Unauthenticated";
                    error = "This connection is not authenticated.";
                    displayName = api.Name;
                }
                else
                {
                    authenticatedUser["name"] = user;
                    displayName = user;
                    if (outcome < 0.12)
                    {
                        errorCode = "Unauthorized";
                        error = Refresh(api.Name, correlation, trace, failedAt,
                            $"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on {ArmTime(failedAt.AddDays(-90))} and was inactive for 90.00:00:00.");
                    }
                    else if (outcome < 0.16)
                    {
                        errorCode = "Unauthorized";
                        error = Refresh(api.Name, correlation, trace, failedAt,
                            $"AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. " +
                            $"The grant was issued on '{ArmTime(failedAt.AddDays(-40))}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{ArmTime(failedAt.AddHours(-15))}'.");
                    }
                }

                break;
            }

            case AuthKind.ManagedIdentity:
                parameterValueSet = new JsonObject { ["name"] = "managedIdentityAuth", ["values"] = new JsonObject() };
                break;

            case AuthKind.ServicePrincipal:
            {
                nonSecret["token:TenantId"] = TenantId;
                displayName = api.Name + "-sp";
                if (_applications.Count > 0)
                {
                    var app = _applications[_random.Next(_applications.Count)];
                    nonSecret["token:clientId"] = app.AppId;
                    if (app.State == AppState.SecretExpired)
                    {
                        errorCode = "Unauthorized";
                        failedAt = app.CredentialEnd.AddHours(3);
                        error = Refresh(api.Name, correlation, trace, failedAt,
                            $"AADSTS7000222: The provided client secret keys for app '{app.AppId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.");
                    }
                    else if (app.State == AppState.CertificateExpired)
                    {
                        errorCode = "Unauthorized";
                        failedAt = app.CredentialEnd.AddHours(3);
                        error = Refresh(api.Name, correlation, trace, failedAt,
                            "AADSTS700027: The certificate with identifier used to sign the client assertion is expired on application. [Reason - The key used is expired.]");
                    }
                }

                nonSecret["token:grantType"] = "client_credentials";
                break;
            }
        }

        var status = new JsonObject { ["status"] = error is null ? "Connected" : "Error" };
        if (error is not null)
        {
            status["target"] = "token";
            status["error"] = new JsonObject { ["code"] = errorCode, ["message"] = error };
        }

        var properties = new JsonObject
        {
            ["displayName"] = displayName,
            ["authenticatedUser"] = authenticatedUser,
            ["overallStatus"] = error is null ? "Connected" : "Error",
            ["statuses"] = new JsonArray(status),
            ["connectionState"] = "Enabled",
            ["parameterValues"] = new JsonObject(),
            ["customParameterValues"] = new JsonObject(),
        };
        if (parameterValueSet is not null)
        {
            properties["parameterValueSet"] = parameterValueSet;
        }

        properties["nonSecretParameterValues"] = nonSecret;
        properties["createdTime"] = ArmTime(created);
        properties["changedTime"] = ArmTime(error is null ? created : failedAt);
        properties["api"] = new JsonObject
        {
            ["name"] = api.Name,
            ["displayName"] = api.DisplayName,
            ["description"] = api.Description,
            ["iconUri"] = $"https://conn-afd-prod-endpoint-bmc9bqahasf3grgk.b01.azurefd.net/releases/v1.0.1722/1.0.1722.3904/{api.Name}/icon.png",
            ["brandColor"] = api.Brand,
            ["category"] = "Standard",
            ["id"] = ApiId(group.SubscriptionId, group.Location, api.Name),
            ["type"] = "Microsoft.Web/locations/managedApis",
        };
        var armId = "https://management.azure.com:443" + id;
        properties["testLinks"] = auth == AuthKind.ManagedIdentity
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["requestUri"] = armId + "/extensions/proxy/testconnection?api-version=2018-07-01-preview", ["method"] = "get" });
        properties["testRequests"] = auth == AuthKind.ManagedIdentity
            ? new JsonArray()
            : new JsonArray(new JsonObject
            {
                ["body"] = new JsonObject { ["request"] = new JsonObject { ["method"] = "get", ["path"] = "testconnection" } },
                ["requestUri"] = armId + "/dynamicInvoke?api-version=2018-07-01-preview",
                ["method"] = "POST",
            });
        var runtimeUrl = kind == "V2" ? RuntimeUrl(number, group.Location, api.Name) : null;
        if (runtimeUrl is not null)
        {
            properties["connectionRuntimeUrl"] = runtimeUrl;
        }

        var etag = Hex("etag", number);
        _scenario.Resources.Add(new JsonObject
        {
            ["id"] = id,
            ["name"] = name,
            ["type"] = "Microsoft.Web/connections",
            ["location"] = group.Location,
            ["kind"] = kind,
            ["etag"] = $"\"{etag[..8]}-0000-0d00-0000-{etag[20..]}\"",
            ["tags"] = new JsonObject(),
            ["properties"] = properties,
        });
        return new Connection(id, name, api, auth, group, runtimeUrl);
    }

    private string RuntimeUrl(int number, string location, string api) =>
        $"https://{Hex("runtimeHost", number)[..14]}.14.common.logic-{location}.azure-apihub.net/apim/{api}/{Hex("runtimePath", number)}/";

    private static string Refresh(string api, string correlation, string trace, DateTime at, string detail) =>
        $"Failed to refresh access token for service: {api}. Correlation Id=g-{correlation}, UTC TimeStamp={ArmTime(at)}, Error: {detail} " +
        $"Trace ID: {trace} Correlation ID: {correlation} Timestamp: {at.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";

    private void AddWorkflows(Dictionary<Group, List<Connection>> v1)
    {
        for (var w = 0; w < _options.Workflows; w++)
        {
            var groups = _groups[w % _groups.Count];
            var group = groups[w / _groups.Count % groups.Count];
            var references = new List<(string Key, string ConnectionId, string ConnectionName, Api Api, bool ManagedIdentity)>();
            var wanted = 1 + _random.Next(3);
            for (var k = 0; k < wanted; k++)
            {
                var source = group;
                if (Chance(0.10) && groups.Count > 1)
                {
                    source = groups[(groups.IndexOf(group) + 1 + _random.Next(groups.Count - 1)) % groups.Count];
                }

                if (v1.TryGetValue(source, out var candidates) && candidates.Count > 0 && !Chance(0.02))
                {
                    var connection = candidates[_random.Next(candidates.Count)];
                    if (references.Any(r => r.ConnectionId == connection.Id))
                    {
                        continue;
                    }

                    references.Add((UniqueKey(references, connection.Api.Name), connection.Id, connection.Name, connection.Api,
                        connection.Auth == AuthKind.ManagedIdentity));
                }
                else
                {
                    // Dangling: the workflow still points at a connection that was deleted.
                    var api = OAuthApis[_random.Next(OAuthApis.Length)];
                    var name = $"{api.Name}-deleted-{w:00000}";
                    references.Add((UniqueKey(references, api.Name), $"{source.Id}/providers/Microsoft.Web/connections/{name}", name, api, false));
                }
            }

            var usesIdentity = references.Any(r => r.ManagedIdentity);
            var hasIdentity = usesIdentity ? !Chance(0.10) : Chance(0.05);
            _scenario.Resources.Add(Workflow(w, group, references, hasIdentity));
        }
    }

    private static string UniqueKey(List<(string Key, string ConnectionId, string ConnectionName, Api Api, bool ManagedIdentity)> existing, string api)
    {
        var key = api;
        for (var n = 1; existing.Any(r => r.Key == key); n++)
        {
            key = $"{api}_{n}";
        }

        return key;
    }

    private JsonObject Workflow(int w, Group group, List<(string Key, string ConnectionId, string ConnectionName, Api Api, bool ManagedIdentity)> references, bool hasIdentity)
    {
        var name = $"wf-gen-{w + 1:00000}";
        var id = $"{group.Id}/providers/Microsoft.Logic/workflows/{name}";
        var created = _today.AddDays(-_random.Next(30, 900));
        var actions = new JsonObject();
        var connections = new JsonObject();
        foreach (var reference in references)
        {
            actions["Call_" + reference.Key] = new JsonObject
            {
                ["runAfter"] = new JsonObject(),
                ["type"] = "ApiConnection",
                ["inputs"] = new JsonObject
                {
                    ["host"] = new JsonObject { ["connection"] = new JsonObject { ["name"] = $"@parameters('$connections')['{reference.Key}']['connectionId']" } },
                    ["method"] = "get",
                    ["path"] = "/testconnection",
                },
            };
            var value = new JsonObject
            {
                ["connectionId"] = reference.ConnectionId,
                ["connectionName"] = reference.ConnectionName,
                ["id"] = ApiId(group.SubscriptionId, group.Location, reference.Api.Name),
            };
            if (reference.ManagedIdentity)
            {
                value["connectionProperties"] = new JsonObject { ["authentication"] = new JsonObject { ["type"] = "ManagedServiceIdentity" } };
            }

            connections[reference.Key] = value;
        }

        var document = new JsonObject
        {
            ["id"] = id,
            ["name"] = name,
            ["type"] = "Microsoft.Logic/workflows",
            ["location"] = group.Location,
            ["tags"] = new JsonObject(),
        };
        if (hasIdentity)
        {
            var principalId = Id("workflowIdentity", w);
            document["identity"] = new JsonObject { ["type"] = "SystemAssigned", ["principalId"] = principalId, ["tenantId"] = TenantId };
            AddManagedIdentityPrincipal(principalId, Id("workflowIdentityApp", w), name, id);
        }

        document["properties"] = new JsonObject
        {
            ["provisioningState"] = "Succeeded",
            ["createdTime"] = ArmTime(created),
            ["changedTime"] = ArmTime(created.AddDays(_random.Next(0, 30))),
            ["state"] = Chance(0.08) ? "Disabled" : "Enabled",
            ["version"] = "08584" + (100_000_000_000L + w).ToString(CultureInfo.InvariantCulture),
            ["accessEndpoint"] = $"https://prod-{w % 300:00}.{group.Location}.logic.azure.com:443/workflows/{Hex("workflow", w)}",
            ["definition"] = new JsonObject
            {
                ["$schema"] = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
                ["contentVersion"] = "1.0.0.0",
                ["parameters"] = new JsonObject { ["$connections"] = new JsonObject { ["defaultValue"] = new JsonObject(), ["type"] = "Object" } },
                ["triggers"] = new JsonObject
                {
                    ["Recurrence"] = new JsonObject
                    {
                        ["recurrence"] = new JsonObject { ["frequency"] = "Hour", ["interval"] = 1 + w % 12 },
                        ["type"] = "Recurrence",
                    },
                },
                ["actions"] = actions,
                ["outputs"] = new JsonObject(),
            },
            ["parameters"] = new JsonObject { ["$connections"] = new JsonObject { ["value"] = connections } },
        };
        return document;
    }

    private void AddManagedIdentityPrincipal(string objectId, string appId, string name, string resourceId) =>
        _scenario.Graph.ServicePrincipals.Add(new JsonObject
        {
            ["id"] = objectId,
            ["appId"] = appId,
            ["displayName"] = name,
            ["servicePrincipalType"] = "ManagedIdentity",
            ["accountEnabled"] = true,
            ["alternativeNames"] = new JsonArray("isExplicit=False", resourceId),
        });

    private void AddStandardApps(List<List<Connection>> v2)
    {
        for (var a = 0; a < _options.StandardApps; a++)
        {
            var group = StandardAppGroup(a);
            var name = $"la-gen-std-{a + 1:000}";
            var id = $"{group.Id}/providers/Microsoft.Web/sites/{name}";
            var principalId = Id("siteIdentity", a);
            AddManagedIdentityPrincipal(principalId, Id("siteIdentityApp", a), name, id);
            _scenario.Resources.Add(Site(a, group, name, id, principalId));

            var managed = new JsonObject();
            foreach (var connection in v2[a])
            {
                managed[UniqueName(managed, connection.Api.Name)] = ManagedApiConnection(group, connection.Api.Name, connection.Id, connection.RuntimeUrl!);
                if (!Chance(0.10))
                {
                    _scenario.Resources.Add(new JsonObject
                    {
                        ["id"] = $"{connection.Id}/accessPolicies/{principalId}",
                        ["name"] = $"{connection.Name}/{principalId}",
                        ["type"] = "Microsoft.Web/connections/accessPolicies",
                        ["location"] = group.Location,
                        ["properties"] = new JsonObject
                        {
                            ["principal"] = new JsonObject
                            {
                                ["type"] = "ActiveDirectory",
                                ["identity"] = new JsonObject { ["objectId"] = principalId, ["tenantId"] = TenantId },
                            },
                        },
                    });
                }
            }

            if (Chance(0.05))
            {
                var deleted = $"servicebus-v2-deleted-{a:000}";
                managed[UniqueName(managed, "servicebus")] = ManagedApiConnection(group, "servicebus",
                    $"{group.Id}/providers/Microsoft.Web/connections/{deleted}", RuntimeUrl(1_000_000 + a, group.Location, "servicebus"));
            }

            _scenario.StandardAppConnections[id] = new JsonObject { ["managedApiConnections"] = managed };
            AddBuiltInConnections(a, group, name, id, principalId, managed);
        }
    }

    private static string UniqueName(JsonObject existing, string api)
    {
        var key = api;
        for (var n = 1; existing.ContainsKey(key); n++)
        {
            key = $"{api}-{n}";
        }

        return key;
    }

    private JsonObject ManagedApiConnection(Group group, string api, string connectionId, string runtimeUrl) => new()
    {
        ["api"] = new JsonObject { ["id"] = ApiId(group.SubscriptionId, group.Location, api) },
        ["connection"] = new JsonObject { ["id"] = connectionId },
        ["connectionRuntimeUrl"] = runtimeUrl,
        ["authentication"] = new JsonObject { ["type"] = "ManagedServiceIdentity" },
    };

    private JsonObject Site(int a, Group group, string name, string id, string principalId)
    {
        var host = name + ".azurewebsites.net";
        return new JsonObject
        {
            ["id"] = id,
            ["name"] = name,
            ["type"] = "Microsoft.Web/sites",
            ["kind"] = "functionapp,workflowapp",
            ["location"] = group.Location,
            ["tags"] = new JsonObject(),
            ["identity"] = new JsonObject { ["type"] = "SystemAssigned", ["tenantId"] = TenantId, ["principalId"] = principalId },
            ["properties"] = new JsonObject
            {
                ["name"] = name,
                ["state"] = "Running",
                ["hostNames"] = new JsonArray(host),
                ["enabled"] = true,
                ["enabledHostNames"] = new JsonArray(host, name + ".scm.azurewebsites.net"),
                ["serverFarmId"] = $"{group.Id}/providers/Microsoft.Web/serverfarms/asp-gen-std-{a + 1:000}",
                ["reserved"] = false,
                ["defaultHostName"] = host,
                ["httpsOnly"] = true,
                ["kind"] = "functionapp,workflowapp",
                ["resourceGroup"] = group.Name,
                ["lastModifiedTimeUtc"] = _today.AddDays(-_random.Next(1, 200)).ToString("yyyy-MM-dd'T'HH:mm:ss.ff", CultureInfo.InvariantCulture),
                ["siteConfig"] = new JsonObject { ["numberOfWorkers"] = 1, ["netFrameworkVersion"] = "v6.0", ["functionsRuntimeScaleMonitoringEnabled"] = false },
            },
        };
    }
}
