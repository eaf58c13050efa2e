using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>Planning the connection's managed-identity shape.</summary>
public sealed partial class ManagedIdentityRemediator
{
    /// <summary>The connection in the connector's managed-identity shape (PUT of the connection, other properties kept), unless it already is.</summary>
    private static PlannedChange? PlanConnectionShape(ConnectionPlanContext c, JsonObject? target, IEnumerable<PlannedChange?> dependsOn)
    {
        var (plan, id, connection, apiName, shape, parameters) = (c.Plan, c.Id, c.Connection, c.ApiName, c.Shape, c.Parameters);
        if (shape.IsManagedIdentity(connection))
        {
            plan.AddInPlace(RemediationOperation.SetConnectionAuthentication, id.Id, $"Connection {id.Name} already signs in with the logic app's managed identity");
            return null;
        }

        var values = new JsonObject();
        var missing = new List<string>();
        foreach (var parameter in shape.Parameters)
        {
            var value = parameters.FirstOrDefault(p => string.Equals(p.Key, parameter, StringComparison.OrdinalIgnoreCase)).Value ?? DeriveParameter(parameter, target);
            if (string.IsNullOrEmpty(value))
            {
                missing.Add(parameter);
            }
            else
            {
                values[parameter] = new JsonObject { ["value"] = value };
            }
        }

        if (missing.Count > 0)
        {
            throw new LogicAppAuthException("ConnectionParameterMissing", FailureKind.InvalidArgument,
                $"The {apiName} connector's managed-identity sign-in needs {string.Join(", ", missing)}, which connection {id.Name} does not carry. " +
                "Name the target resource with -TargetResourceId so it can be derived.", id.Id);
        }

        var description = shape.Style == ManagedIdentityStyle.ParameterValueSet
            ? $"Switch connection {id.Name} to the {apiName} connector's managed-identity sign-in (parameterValueSet '{shape.SetName}'{(values.Count > 0 ? " with " + string.Join(", ", values.Select(v => v.Key)) : "")}; PUT, other properties kept)"
            : $"Switch connection {id.Name} to the {apiName} connector's managed-identity sign-in (parameterValueType 'Alternative'; PUT, other properties kept)";
        var change = new PlannedChange(RemediationOperation.SetConnectionAuthentication, id.Id, "PUT", description, async context =>
        {
            await context.WriteAsync(id.Id, AzureResourceId.ConnectionType, ApiVersions.Connections, "PUT", fresh =>
            {
                var properties = JsonEdit.Child(fresh, "properties");
                foreach (var stale in new[] { "statuses", "overallStatus", "authenticatedUser", "testLinks", "testRequests" })
                {
                    JsonEdit.Remove(properties, stale);
                }

                foreach (var bag in new[] { "parameterValues", "nonSecretParameterValues" })
                {
                    if (JsonEdit.Get(properties, bag) is JsonObject bagValues)
                    {
                        foreach (var key in bagValues.Select(p => p.Key).Where(k => k.StartsWith("token:", StringComparison.OrdinalIgnoreCase)).ToList())
                        {
                            bagValues.Remove(key);
                        }
                    }
                }

                if (shape.Style == ManagedIdentityStyle.ParameterValueSet)
                {
                    JsonEdit.Remove(properties, "parameterValueType");
                    JsonEdit.Remove(properties, "alternativeParameterValues");
                    properties[JsonEdit.KeyOf(properties, "parameterValueSet")] = new JsonObject { ["name"] = shape.SetName, ["values"] = values.DeepClone() };
                }
                else
                {
                    JsonEdit.Remove(properties, "parameterValueSet");
                    properties[JsonEdit.KeyOf(properties, "parameterValueType")] = "Alternative";
                    if (!(JsonEdit.Get(properties, "alternativeParameterValues") is JsonObject))
                    {
                        properties["alternativeParameterValues"] = new JsonObject();
                    }
                }

                return fresh;
            }).ConfigureAwait(false);
        }, dependsOn.Where(d => d != null).Cast<PlannedChange>());
        plan.Add(change);
        return change;
    }
}
