using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>
/// Graph v1.0's default property sets for applications and service principals: a scenario stores
/// only what matters to it, and the routes answer with every property Graph returns when no
/// <c>$select</c> is given (absent ones with Graph's empty values), in Graph's order.
/// </summary>
public static class GraphDefaults
{
    private static readonly (string Name, Func<JsonObject, JsonNode?> Default)[] ApplicationProperties =
    [
        ("id", _ => null), ("deletedDateTime", _ => null), ("appId", _ => null), ("applicationTemplateId", _ => null),
        ("disabledByMicrosoftStatus", _ => null), ("createdDateTime", _ => null), ("displayName", _ => null),
        ("description", _ => null), ("groupMembershipClaims", _ => null), ("identifierUris", _ => new JsonArray()),
        ("isDeviceOnlyAuthSupported", _ => null), ("isFallbackPublicClient", _ => null), ("nativeAuthenticationApisEnabled", _ => null),
        ("notes", _ => null), ("publisherDomain", _ => null), ("serviceManagementReference", _ => null),
        ("signInAudience", _ => "AzureADMyOrg"), ("tags", _ => new JsonArray()), ("tokenEncryptionKeyId", _ => null),
        ("uniqueName", _ => null), ("samlMetadataUrl", _ => null), ("defaultRedirectUri", _ => null), ("certification", _ => null),
        ("optionalClaims", _ => null), ("servicePrincipalLockConfiguration", _ => null), ("requestSignatureVerification", _ => null),
        ("addIns", _ => new JsonArray()),
        ("api", _ => new JsonObject
        {
            ["acceptMappedClaims"] = null, ["knownClientApplications"] = new JsonArray(), ["requestedAccessTokenVersion"] = null,
            ["oauth2PermissionScopes"] = new JsonArray(), ["preAuthorizedApplications"] = new JsonArray(),
        }),
        ("appRoles", _ => new JsonArray()),
        ("info", _ => new JsonObject
        {
            ["logoUrl"] = null, ["marketingUrl"] = null, ["privacyStatementUrl"] = null, ["supportUrl"] = null, ["termsOfServiceUrl"] = null,
        }),
        ("keyCredentials", _ => new JsonArray()),
        ("parentalControlSettings", _ => new JsonObject { ["countriesBlockedForMinors"] = new JsonArray(), ["legalAgeGroupRule"] = "Allow" }),
        ("passwordCredentials", _ => new JsonArray()),
        ("publicClient", _ => new JsonObject { ["redirectUris"] = new JsonArray() }),
        ("requiredResourceAccess", _ => new JsonArray()),
        ("verifiedPublisher", _ => new JsonObject { ["displayName"] = null, ["verifiedPublisherId"] = null, ["addedDateTime"] = null }),
        ("web", _ => new JsonObject
        {
            ["homePageUrl"] = null, ["logoutUrl"] = null, ["redirectUris"] = new JsonArray(),
            ["implicitGrantSettings"] = new JsonObject { ["enableAccessTokenIssuance"] = false, ["enableIdTokenIssuance"] = false },
            ["redirectUriSettings"] = new JsonArray(),
        }),
        ("spa", _ => new JsonObject { ["redirectUris"] = new JsonArray() }),
    ];

    private static readonly (string Name, Func<JsonObject, JsonNode?> Default)[] ServicePrincipalProperties =
    [
        ("id", _ => null), ("deletedDateTime", _ => null), ("accountEnabled", _ => true), ("alternativeNames", _ => new JsonArray()),
        ("appDisplayName", sp => sp["displayName"]?.DeepClone()), ("appDescription", _ => null), ("appId", _ => null),
        ("applicationTemplateId", _ => null), ("appOwnerOrganizationId", _ => null), ("appRoleAssignmentRequired", _ => false),
        ("createdDateTime", _ => null), ("description", _ => null), ("disabledByMicrosoftStatus", _ => null), ("displayName", _ => null),
        ("homepage", _ => null), ("loginUrl", _ => null), ("logoutUrl", _ => null), ("notes", _ => null),
        ("notificationEmailAddresses", _ => new JsonArray()), ("preferredSingleSignOnMode", _ => null),
        ("preferredTokenSigningKeyThumbprint", _ => null), ("replyUrls", _ => new JsonArray()),
        ("servicePrincipalNames", sp => sp["appId"] is { } appId ? new JsonArray(appId.DeepClone()) : new JsonArray()),
        ("servicePrincipalType", _ => "Application"), ("signInAudience", _ => "AzureADMyOrg"), ("tags", _ => new JsonArray()),
        ("tokenEncryptionKeyId", _ => null), ("samlSingleSignOnSettings", _ => null), ("addIns", _ => new JsonArray()),
        ("appRoles", _ => new JsonArray()),
        ("info", _ => new JsonObject
        {
            ["logoUrl"] = null, ["marketingUrl"] = null, ["privacyStatementUrl"] = null, ["supportUrl"] = null, ["termsOfServiceUrl"] = null,
        }),
        ("keyCredentials", _ => new JsonArray()), ("oauth2PermissionScopes", _ => new JsonArray()), ("passwordCredentials", _ => new JsonArray()),
        ("resourceSpecificApplicationPermissions", _ => new JsonArray()),
        ("verifiedPublisher", _ => new JsonObject { ["displayName"] = null, ["verifiedPublisherId"] = null, ["addedDateTime"] = null }),
    ];

    public static JsonObject Application(JsonObject stored) => Complete(stored, ApplicationProperties);

    public static JsonObject ServicePrincipal(JsonObject stored) => Complete(stored, ServicePrincipalProperties);

    /// <summary>Graph's properties in Graph's order, then anything else the scenario stored.</summary>
    private static JsonObject Complete(JsonObject stored, (string Name, Func<JsonObject, JsonNode?> Default)[] properties)
    {
        var result = new JsonObject();
        foreach (var (name, makeDefault) in properties)
        {
            var match = stored.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
            result[name] = match.Key is null ? makeDefault(stored) : match.Value?.DeepClone();
        }

        foreach (var (key, value) in stored)
        {
            if (!result.ContainsKey(key))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }
}
