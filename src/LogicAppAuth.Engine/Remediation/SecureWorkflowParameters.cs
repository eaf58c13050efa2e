using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// Logic Apps does not return the values of <c>securestring</c> and <c>secureobject</c> workflow parameters on GET,
/// so a PUT of the whole workflow as read would clear them. A workflow that declares such a parameter without its
/// value in the GET is not rewritten: the fix refuses it before any write.
/// </summary>
internal static class SecureWorkflowParameters
{
    /// <summary>The secure parameters the definition declares whose value the read workflow does not hold.</summary>
    public static IReadOnlyList<string> Hidden(JsonNode? workflow)
    {
        if (!(JsonEdit.Get(workflow, "properties", "definition", "parameters") is JsonObject declared))
        {
            return Array.Empty<string>();
        }

        return declared
            .Where(p => IsSecure(JsonEdit.String(p.Value, "type")) && JsonEdit.Get(workflow, "properties", "parameters", p.Key, "value") == null)
            .Select(p => p.Key)
            .ToList();
    }

    /// <summary>Throws <c>SecureParametersNotReturned</c> when the workflow has hidden secure parameters.</summary>
    public static void EnsureNoneHidden(JsonNode? workflow, string workflowId, string workflowName)
    {
        var hidden = Hidden(workflow);
        if (hidden.Count > 0)
        {
            throw new LogicAppAuthException("SecureParametersNotReturned", FailureKind.InvalidOperation,
                $"Workflow {workflowName} declares secure parameters ({string.Join(", ", hidden)}) whose values Azure does not return, so a PUT of " +
                "the whole workflow would clear them; nothing was changed. Set connectionProperties.authentication to ManagedServiceIdentity in its " +
                "$connections parameter where the workflow is deployed from (template or designer), then run the fix again.",
                workflowId);
        }
    }

    private static bool IsSecure(string type) =>
        string.Equals(type, "securestring", StringComparison.OrdinalIgnoreCase) || string.Equals(type, "secureobject", StringComparison.OrdinalIgnoreCase);
}
