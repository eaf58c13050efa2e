using System.Globalization;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Graph;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Writes a remediation needs, each behind the RBAC <c>{type}/write</c> (or <c>/delete</c>) action:
/// PUT/PATCH of Microsoft.Logic/workflows (PUT replaces and bumps changedTime and version; PATCH takes
/// only tags, identity and sku), PUT/PATCH of Microsoft.Web/sites (identity), PUT/PATCH/DELETE of
/// Microsoft.Web/connections and PUT/DELETE of their accessPolicies. A write with an If-Match that is not the resource's
/// current ETag is refused with 412. Enabling a managed identity assigns
/// a stable principal and registers it in the directory so role assignments can name it.
/// </summary>
public static class WriteRoutes
{
    private const string WorkflowType = "Microsoft.Logic/workflows";
    private const string SiteType = "Microsoft.Web/sites";
    private const string ConnectionType = "Microsoft.Web/connections";
    private const string AccessPolicyType = "Microsoft.Web/connections/accessPolicies";

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var method = context.Request.Method;
        var isPut = HttpMethods.IsPut(method);
        var isPatch = HttpMethods.IsPatch(method);
        var isDelete = HttpMethods.IsDelete(method);
        if ((!isPut && !isPatch && !isDelete) || path.IsCollection || path.ResourceGroupName is null)
        {
            return null;
        }

        var type = path.ResourceType;
        var supported = type.ToLowerInvariant() switch
        {
            "microsoft.logic/workflows" or "microsoft.web/sites" => !isDelete,
            "microsoft.web/connections" => true,
            "microsoft.web/connections/accesspolicies" => !isPatch,
            _ => false,
        };
        if (!supported)
        {
            return null;
        }

        var action = type + (isDelete ? "/delete" : "/write");
        if (ArmRoutes.Authorize(state, caller, action, path.Path) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        if (path.ParentResourceId is { } parent && !state.Store.Exists(parent))
        {
            return ArmApi.NotFound(parent);
        }

        var existing = state.Store.Get(path.Path);
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*" && (string?)existing?["etag"] is { } etag && etag != ifMatch)
        {
            // As ARM does for a resource with an ETag: a write made against an older read is refused.
            return ArmErrors.Error(412, "PreconditionFailed", $"The specified precondition 'If-Match = {ifMatch}' failed; the resource's ETag is now {etag}.");
        }

        if (isDelete)
        {
            return existing is not null && state.Store.Remove(path.Path) ? Results.Ok() : Results.NoContent();
        }

        if (isPatch && existing is null)
        {
            return ArmApi.NotFound(path.Path);
        }

        var (body, error) = await ArmRoutes.ReadBodyAsync(context);
        if (body is null)
        {
            return error!;
        }

        var subscription = state.Scenario.FindSubscription(path.SubscriptionId!)!;
        var result = type.ToLowerInvariant() switch
        {
            "microsoft.logic/workflows" => isPut ? PutWorkflow(state, path, existing, body, subscription) : PatchWorkflow(state, existing!, body, subscription),
            "microsoft.web/sites" => WriteSite(state, path, existing, body, subscription, isPut),
            "microsoft.web/connections" => WriteConnection(context, state, path, existing, body, isPut),
            _ => PutAccessPolicy(state, path, existing, body),
        };
        if (result.Document is { } document)
        {
            if (existing is not null && AsyncWrites.AppliesTo(state, path.Path))
            {
                return state.AsyncWrites.Accept(context, state, path, document);
            }

            state.Store.Put(document);
            return Results.Json(document.DeepClone(), statusCode: existing is null ? 201 : 200);
        }

        return result.Error!;
    }

    private sealed record WriteResult(JsonObject? Document, IResult? Error)
    {
        public static WriteResult Fail(IResult error) => new(null, error);
    }

    private static WriteResult PutWorkflow(SandboxState state, ArmPath path, JsonObject? existing, JsonObject body, ScenarioSubscription subscription)
    {
        var location = (string?)body["location"];
        if (string.IsNullOrEmpty(location))
        {
            return WriteResult.Fail(ArmErrors.Error(400, "LocationRequired", "The location property is required for this definition."));
        }

        if (body["properties"] is not JsonObject requested || requested["definition"] is not JsonObject)
        {
            return WriteResult.Fail(ArmErrors.Error(400, "WorkflowDefinitionMissing", "The request content must contain 'properties.definition'."));
        }

        var id = (string?)existing?["id"] ?? path.Path;
        var now = state.Clock.NowText();
        var old = existing?["properties"];
        var properties = new JsonObject
        {
            ["provisioningState"] = "Succeeded",
            ["createdTime"] = old?["createdTime"]?.DeepClone() ?? now,
            ["changedTime"] = now,
            ["state"] = requested["state"]?.DeepClone() ?? "Enabled",
            ["version"] = NewVersion(),
            ["accessEndpoint"] = old?["accessEndpoint"]?.DeepClone()
                ?? $"https://prod-00.{location}.logic.azure.com:443/workflows/{ScenarioSeeder.DeterministicGuid(id):N}",
            ["endpointsConfiguration"] = old?["endpointsConfiguration"]?.DeepClone()
                ?? new JsonObject { ["workflow"] = new JsonObject { ["outgoingIpAddresses"] = new JsonArray(), ["accessEndpointIpAddresses"] = new JsonArray() }, ["connector"] = new JsonObject { ["outgoingIpAddresses"] = new JsonArray() } },
        };
        foreach (var (key, value) in requested)
        {
            if (key is not ("provisioningState" or "createdTime" or "changedTime" or "version" or "accessEndpoint" or "endpointsConfiguration" or "state"))
            {
                properties[key] = value?.DeepClone();
            }
        }

        var document = new JsonObject
        {
            ["id"] = id,
            ["name"] = path.Segments[^1],
            ["type"] = WorkflowType,
            ["location"] = location,
            ["tags"] = body["tags"]?.DeepClone() ?? new JsonObject(),
        };
        if (Identity(state, id, body["identity"] as JsonObject, existing?["identity"] as JsonObject, subscription) is { } identity)
        {
            document["identity"] = identity;
        }

        document["properties"] = properties;
        return new WriteResult(document, null);
    }

    private static WriteResult PatchWorkflow(SandboxState state, JsonObject existing, JsonObject body, ScenarioSubscription subscription)
    {
        if (body["properties"] is JsonObject patched && patched.Any(p => !p.Key.Equals("sku", StringComparison.OrdinalIgnoreCase)))
        {
            return WriteResult.Fail(ArmErrors.Error(400, "InvalidPatchWorkflowRequest",
                "The patch workflow request is invalid. Only the tags field, SKU tier field and identity field can be patched. None of the fields inside the properties object can be patched."));
        }

        if (body["tags"] is JsonObject tags)
        {
            existing["tags"] = tags.DeepClone();
        }

        if (body["properties"]?["sku"] is { } sku)
        {
            existing["properties"]!["sku"] = sku.DeepClone();
        }

        if (body["sku"] is { } topSku)
        {
            existing["properties"]!["sku"] = topSku.DeepClone();
        }

        if (body.ContainsKey("identity"))
        {
            SetIdentity(existing, Identity(state, (string)existing["id"]!, body["identity"] as JsonObject, existing["identity"] as JsonObject, subscription));
        }

        existing["properties"]!["changedTime"] = state.Clock.NowText();
        return new WriteResult(existing, null);
    }

    private static WriteResult WriteSite(SandboxState state, ArmPath path, JsonObject? existing, JsonObject body, ScenarioSubscription subscription, bool isPut)
    {
        var id = (string?)existing?["id"] ?? path.Path;
        var document = existing ?? new JsonObject
        {
            ["id"] = id,
            ["name"] = path.Segments[^1],
            ["type"] = SiteType,
            ["kind"] = body["kind"]?.DeepClone() ?? "functionapp,workflowapp",
            ["location"] = body["location"]?.DeepClone(),
            ["tags"] = new JsonObject(),
            ["properties"] = new JsonObject { ["name"] = path.Segments[^1], ["state"] = "Running", ["enabled"] = true },
        };
        if (isPut && document["location"] is null && body["location"] is null)
        {
            return WriteResult.Fail(ArmErrors.Error(400, "LocationRequired", "The location property is required for this definition."));
        }

        if (body["tags"] is JsonObject tags)
        {
            document["tags"] = tags.DeepClone();
        }

        if (body["properties"] is JsonObject properties)
        {
            var target = document["properties"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in properties)
            {
                target[key] = value?.DeepClone();
            }

            document["properties"] = target;
        }

        if (body.ContainsKey("identity") || isPut)
        {
            SetIdentity(document, Identity(state, id, body["identity"] as JsonObject, existing?["identity"] as JsonObject, subscription));
        }

        if (document["properties"] is JsonObject siteProperties)
        {
            siteProperties["lastModifiedTimeUtc"] = state.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ff", CultureInfo.InvariantCulture);
        }

        return new WriteResult(document, null);
    }

    private static WriteResult WriteConnection(HttpContext context, SandboxState state, ArmPath path, JsonObject? existing, JsonObject body, bool isPut)
    {
        JsonObject requested;
        if (isPut)
        {
            requested = body;
        }
        else
        {
            // PATCH: the body's properties merge over the stored ones.
            requested = (JsonObject)existing!.DeepClone();
            if (body["tags"] is JsonObject patchTags)
            {
                requested["tags"] = patchTags.DeepClone();
            }

            var merged = requested["properties"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in body["properties"] as JsonObject ?? new JsonObject())
            {
                merged[key] = value?.DeepClone();
            }

            if (body["properties"]?["parameterValueSet"] is not null)
            {
                merged.Remove("parameterValueType");
                merged.Remove("alternativeParameterValues");
            }

            requested["properties"] = merged;
        }

        var location = (string?)requested["location"] ?? (string?)existing?["location"];
        if (string.IsNullOrEmpty(location))
        {
            return WriteResult.Fail(ArmErrors.Error(400, "LocationRequired", "The location property is required for this definition."));
        }

        var input = requested["properties"] as JsonObject ?? new JsonObject();
        var apiId = (string?)input["api"]?["id"] ?? (string?)existing?["properties"]?["api"]?["id"];
        if (string.IsNullOrEmpty(apiId))
        {
            return WriteResult.Fail(ArmErrors.Error(400, "InvalidRequestContent", "The request content was invalid: 'properties.api.id' is required."));
        }

        var apiName = apiId[(apiId.LastIndexOf('/') + 1)..];
        var id = (string?)existing?["id"] ?? path.Path;
        var now = state.Clock.NowText();
        var old = existing?["properties"];
        var properties = new JsonObject { ["displayName"] = input["displayName"]?.DeepClone() ?? old?["displayName"]?.DeepClone() ?? path.Segments[^1] };

        var parameterValues = input["parameterValues"] as JsonObject ?? new JsonObject();
        var nonSecret = new JsonObject();
        foreach (var (key, value) in input["nonSecretParameterValues"] as JsonObject ?? new JsonObject())
        {
            nonSecret[key] = value?.DeepClone();
        }

        foreach (var (key, value) in parameterValues)
        {
            if (!IsSecret(key))
            {
                nonSecret[key] = value?.DeepClone();
            }
        }

        var usesManagedIdentity = ManagedApiCatalog.UsesManagedIdentity(apiName, input);
        var usesServicePrincipal = !usesManagedIdentity
            && (parameterValues.ContainsKey("token:clientSecret") || string.Equals((string?)nonSecret["token:grantType"], "client_credentials", StringComparison.OrdinalIgnoreCase));
        var delegated = !usesManagedIdentity && !usesServicePrincipal && ManagedApiCatalog.IsDelegatedOAuth(apiName);

        JsonArray statuses;
        JsonObject authenticatedUser;
        if (usesManagedIdentity)
        {
            foreach (var key in nonSecret.Select(p => p.Key).Where(k => k.StartsWith("token:", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                nonSecret.Remove(key);
            }

            statuses = new JsonArray(new JsonObject { ["status"] = "Connected" });
            authenticatedUser = new JsonObject();
        }
        else if (usesServicePrincipal)
        {
            nonSecret["token:grantType"] = "client_credentials";
            nonSecret["token:TenantId"] ??= state.Scenario.HomeTenantId;
            statuses = new JsonArray(new JsonObject { ["status"] = "Connected" });
            authenticatedUser = new JsonObject();
        }
        else if (delegated && existing is not null
                 && string.Equals((string?)old?["nonSecretParameterValues"]?["token:grantType"], "code", StringComparison.OrdinalIgnoreCase))
        {
            // Same delegated connection: the token store keeps the consent it had.
            statuses = (JsonArray)(old?["statuses"]?.DeepClone() ?? new JsonArray());
            authenticatedUser = (JsonObject)(old?["authenticatedUser"]?.DeepClone() ?? new JsonObject());
            foreach (var (key, value) in old?["nonSecretParameterValues"] as JsonObject ?? new JsonObject())
            {
                if (!nonSecret.ContainsKey(key))
                {
                    nonSecret[key] = value?.DeepClone();
                }
            }
        }
        else if (delegated)
        {
            nonSecret["token:TenantId"] ??= state.Scenario.HomeTenantId;
            nonSecret["token:grantType"] = "code";
            statuses = new JsonArray(new JsonObject
            {
                ["status"] = "Error",
                ["target"] = "token",
                ["error"] = new JsonObject { ["code"] = "Unauthenticated", ["message"] = "This connection is not authenticated." },
            });
            authenticatedUser = new JsonObject();
        }
        else
        {
            statuses = new JsonArray(new JsonObject { ["status"] = "Connected" });
            authenticatedUser = new JsonObject();
        }

        var connected = string.Equals((string?)statuses[0]?["status"], "Connected", StringComparison.OrdinalIgnoreCase);
        properties["authenticatedUser"] = authenticatedUser;
        properties["overallStatus"] = connected ? "Connected" : "Error";
        properties["statuses"] = statuses;
        properties["connectionState"] = "Enabled";
        properties["parameterValues"] = new JsonObject();
        properties["customParameterValues"] = input["customParameterValues"]?.DeepClone() ?? new JsonObject();
        if (usesManagedIdentity && input["parameterValueSet"] is JsonObject set)
        {
            properties["parameterValueSet"] = set.DeepClone();
        }
        else if (usesManagedIdentity)
        {
            properties["parameterValueType"] = "Alternative";
            properties["alternativeParameterValues"] = input["alternativeParameterValues"]?.DeepClone() ?? new JsonObject();
        }
        else if (input["parameterValueSet"] is JsonObject otherSet)
        {
            properties["parameterValueSet"] = new JsonObject { ["name"] = otherSet["name"]?.DeepClone(), ["values"] = new JsonObject() };
        }

        properties["nonSecretParameterValues"] = nonSecret;
        properties["createdTime"] = old?["createdTime"]?.DeepClone() ?? now;
        properties["changedTime"] = now;
        properties["api"] = ManagedApiCatalog.ConnectionApiBlock(apiId) ?? old?["api"]?.DeepClone() ?? new JsonObject { ["name"] = apiName, ["id"] = apiId, ["type"] = "Microsoft.Web/locations/managedApis" };
        var baseUrl = state.Runtime.BaseUrl ?? $"https://{context.Request.Host}";
        properties["testLinks"] = usesManagedIdentity ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["requestUri"] = $"{baseUrl}{id}/extensions/proxy/testconnection?api-version=2018-07-01-preview",
            ["method"] = "get",
        });
        properties["testRequests"] = usesManagedIdentity ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["body"] = new JsonObject { ["request"] = new JsonObject { ["method"] = "get", ["path"] = "testconnection" } },
            ["requestUri"] = $"{baseUrl}{id}/dynamicInvoke?api-version=2018-07-01-preview",
            ["method"] = "POST",
        });
        if (old?["connectionRuntimeUrl"] is { } runtimeUrl)
        {
            properties["connectionRuntimeUrl"] = runtimeUrl.DeepClone();
        }

        var document = new JsonObject
        {
            ["id"] = id,
            ["name"] = path.Segments[^1],
            ["type"] = ConnectionType,
            ["location"] = location,
            ["kind"] = requested["kind"]?.DeepClone() ?? existing?["kind"]?.DeepClone() ?? "V1",
            ["etag"] = $"\"{Guid.NewGuid()}\"",
            ["tags"] = requested["tags"]?.DeepClone() ?? existing?["tags"]?.DeepClone() ?? new JsonObject(),
            ["properties"] = properties,
        };
        return new WriteResult(document, null);
    }

    private static WriteResult PutAccessPolicy(SandboxState state, ArmPath path, JsonObject? existing, JsonObject body)
    {
        var principal = body["properties"]?["principal"] as JsonObject;
        var objectId = (string?)principal?["identity"]?["objectId"];
        if (principal is null || string.IsNullOrEmpty(objectId))
        {
            return WriteResult.Fail(ArmErrors.Error(400, "InvalidRequestContent",
                "The request content was invalid: 'properties.principal' with type and identity.objectId is required."));
        }

        var connectionId = path.ParentResourceId!;
        var connection = state.Store.Get(connectionId);
        var identity = new JsonObject
        {
            ["objectId"] = objectId,
            ["tenantId"] = principal["identity"]?["tenantId"]?.DeepClone() ?? state.Scenario.HomeTenantId,
        };
        return new WriteResult(new JsonObject
        {
            ["id"] = (string?)existing?["id"] ?? path.Path,
            ["name"] = $"{ArmPath.Parse(connectionId).Segments[^1]}/{path.Segments[^1]}",
            ["type"] = AccessPolicyType,
            ["location"] = body["location"]?.DeepClone() ?? connection?["location"]?.DeepClone(),
            ["properties"] = new JsonObject
            {
                ["principal"] = new JsonObject
                {
                    ["type"] = principal["type"]?.DeepClone() ?? "ActiveDirectory",
                    ["identity"] = identity,
                },
            },
        }, null);
    }

    /// <summary>The identity block to store: type None (or absent) removes it; SystemAssigned keeps the
    /// existing principal or assigns a stable one; user-assigned identities get stable ids too.</summary>
    private static JsonObject? Identity(SandboxState state, string resourceId, JsonObject? requested, JsonObject? existing, ScenarioSubscription subscription)
    {
        var type = (string?)requested?["type"];
        if (string.IsNullOrEmpty(type) || type.Equals("None", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var result = new JsonObject { ["type"] = type };
        if (type.Contains("SystemAssigned", StringComparison.OrdinalIgnoreCase))
        {
            var principalId = (string?)existing?["principalId"] ?? ScenarioSeeder.DeterministicGuid("system-identity|" + resourceId).ToString();
            result["principalId"] = principalId;
            result["tenantId"] = (string?)existing?["tenantId"] ?? subscription.TenantId;
            GraphDirectory.RegisterManagedIdentity(state.Scenario, principalId,
                ScenarioSeeder.DeterministicGuid("system-identity-app|" + resourceId).ToString(), ArmPath.Parse(resourceId).Segments[^1], resourceId, state.Clock.GetUtcNow());
        }

        if (requested?["userAssignedIdentities"] is JsonObject userAssigned)
        {
            var identities = new JsonObject();
            foreach (var (identityId, _) in userAssigned)
            {
                var principalId = ScenarioSeeder.DeterministicGuid("user-identity|" + identityId).ToString();
                var clientId = ScenarioSeeder.DeterministicGuid("user-identity-app|" + identityId).ToString();
                identities[identityId] = new JsonObject { ["principalId"] = principalId, ["clientId"] = clientId };
                GraphDirectory.RegisterManagedIdentity(state.Scenario, principalId, clientId, ArmPath.Parse(identityId).Segments[^1], identityId, state.Clock.GetUtcNow());
            }

            result["userAssignedIdentities"] = identities;
        }

        return result;
    }

    private static void SetIdentity(JsonObject document, JsonObject? identity)
    {
        if (identity is null)
        {
            document.Remove("identity");
            return;
        }

        if (document.ContainsKey("identity"))
        {
            document["identity"] = identity;
            return;
        }

        // Keep ARM's order: identity before properties.
        var index = document.Select(p => p.Key).ToList().IndexOf("properties");
        if (index < 0)
        {
            document["identity"] = identity;
        }
        else
        {
            document.Insert(index, "identity", identity);
        }
    }

    private static bool IsSecret(string key) =>
        key.Contains("secret", StringComparison.OrdinalIgnoreCase) || key.Contains("password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("key", StringComparison.OrdinalIgnoreCase) || key.Contains("connectionString", StringComparison.OrdinalIgnoreCase)
        || key.Equals("username", StringComparison.OrdinalIgnoreCase);

    /// <summary>Workflow versions are digit strings that change with every save.</summary>
    private static string NewVersion() =>
        "0858" + ((DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UtcNow.UtcTicks) % 100_000_000_000_000L).ToString("D14", CultureInfo.InvariantCulture);
}
