using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;

namespace LogicAppAuth.Sandbox.Scenarios;

/// <summary>Turns a scenario into the ARM documents the routes serve.</summary>
public static class ScenarioSeeder
{
    /// <summary>How long before the anchor the scenario's role assignments were made.</summary>
    private static readonly TimeSpan RoleAssignmentAge = TimeSpan.FromDays(683);

    public static ResourceStore CreateStore(Scenario scenario)
    {
        var store = new ResourceStore();
        foreach (var group in scenario.ResourceGroups)
        {
            store.Put(ResourceGroupDocument(group));
        }

        foreach (var assignment in scenario.RoleAssignments)
        {
            store.Put(RoleAssignmentDocument(assignment, scenario.TimeAnchor - RoleAssignmentAge));
        }

        foreach (var resource in scenario.Resources)
        {
            store.Put(scenario.ShareResourceDocuments ? resource : (JsonObject)resource.DeepClone());
        }

        foreach (var (siteId, connections) in scenario.StandardAppConnections)
        {
            store.PutSiteFile(siteId, "connections.json", (JsonObject)connections.DeepClone());
        }

        foreach (var (siteId, app) in scenario.StandardApps)
        {
            store.PutAppSettings(siteId, app.AppSettings);
            foreach (var (fileName, content) in app.Files)
            {
                store.PutSiteFileText(siteId, fileName.Replace('\\', '/').Trim('/'),
                    content.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }
        }

        foreach (var (resourceId, keys) in scenario.AccessKeys)
        {
            store.PutAccessKeys(resourceId, keys);
        }

        return store;
    }

    public static JsonObject ResourceGroupDocument(ScenarioResourceGroup group)
    {
        var document = new JsonObject
        {
            ["id"] = $"/subscriptions/{group.SubscriptionId}/resourceGroups/{group.Name}",
            ["name"] = group.Name,
            ["type"] = "Microsoft.Resources/resourceGroups",
            ["location"] = group.Location,
        };
        if (group.Tags is { Count: > 0 })
        {
            document["tags"] = new JsonObject(group.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value)));
        }

        document["properties"] = new JsonObject { ["provisioningState"] = "Succeeded" };
        return document;
    }

    public static JsonObject RoleAssignmentDocument(ScenarioRoleAssignment assignment, DateTimeOffset createdOn)
    {
        var role = BuiltInRoles.Find(assignment.Role)
            ?? throw new InvalidDataException($"Role '{assignment.Role}' is not a built-in role the sandbox knows.");
        var scope = ArmPath.Normalize(assignment.Scope);
        var name = assignment.Name ?? DeterministicGuid($"{assignment.PrincipalId}|{role.Id}|{scope}").ToString();
        var subscription = ArmPath.Parse(scope).SubscriptionScope ?? "";
        return new JsonObject
        {
            ["id"] = $"{(scope == "/" ? "" : scope)}/providers/Microsoft.Authorization/roleAssignments/{name}",
            ["type"] = Rbac.RoleAssignmentType,
            ["name"] = name,
            ["properties"] = new JsonObject
            {
                ["roleDefinitionId"] = $"{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role.Id}",
                ["principalId"] = assignment.PrincipalId,
                ["principalType"] = assignment.PrincipalType,
                ["scope"] = scope,
                ["condition"] = null,
                ["conditionVersion"] = null,
                ["createdOn"] = Hosting.SandboxClock.ArmTime(createdOn),
                ["updatedOn"] = Hosting.SandboxClock.ArmTime(createdOn),
                ["createdBy"] = null,
                ["updatedBy"] = null,
                ["delegatedManagedIdentityResourceId"] = null,
                ["description"] = null,
            },
        };
    }

    /// <summary>A stable GUID from text, so seeded assignment names do not change between runs.</summary>
    public static Guid DeterministicGuid(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToLowerInvariant()));
        return new Guid(hash.AsSpan(0, 16));
    }
}
