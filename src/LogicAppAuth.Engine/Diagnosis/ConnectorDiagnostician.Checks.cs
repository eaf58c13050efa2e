using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Graph;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Diagnosis;

public sealed partial class ConnectorDiagnostician
{
    private const string OrganizationPath = "organization?$select=id,verifiedDomains";

    private async Task<ConnectorDiagnosis> DiagnoseConnectionAsync(InventoryEntry work, IDisposable hold, CancellationToken cancellationToken)
    {
        var facts = work.Facts;
        var status = facts.Status;
        var findings = new DiagnosisFindings();
        var result = new ConnectorDiagnosis();
        if (facts.BuiltIn is LogicApps.BuiltInConnection builtIn)
        {
            hold.Dispose();
            await CheckBuiltInAsync(facts, builtIn, findings, cancellationToken).ConfigureAwait(false);
            return Build(work, findings, result, "");
        }

        string subscriptionTenant = "";
        Task<GraphResponse>? userLookup = null, appLookup = null, organizationLookup = null, servicePrincipalLookup = null;
        string userNotLookedUp = "";

        // Everything Graph is asked for is asked before the hold is released, so that look-ups fill whole batches.
        try
        {
            if (facts.Exists)
            {
                subscriptionTenant = await SubscriptionTenantAsync(status.SubscriptionId, findings).ConfigureAwait(false);
                var user = status.AuthenticatedUser;
                if (user.Length > 0)
                {
                    if (status.TenantId.Length > 0 && subscriptionTenant.Length > 0 && !SameId(status.TenantId, subscriptionTenant))
                    {
                        userNotLookedUp = $"user {user} not looked up: the connection's token is from tenant {status.TenantId}";
                    }
                    else
                    {
                        organizationLookup = _graph.GetAsync(OrganizationPath);
                        userLookup = _graph.GetAsync(UserPath(user));
                    }
                }

                if (facts.ClientId.Length > 0)
                {
                    if (Guid.TryParse(facts.ClientId, out var appId))
                    {
                        appLookup = _graph.GetAsync(ApplicationPath(appId));
                        if (ConnectorRequirements.For(status.ApiName) != null)
                        {
                            // The connection signs in as the app: its service principal's object id is what holds Azure roles.
                            servicePrincipalLookup = _graph.GetAsync(ServicePrincipalPath(appId));
                        }
                    }
                    else
                    {
                        findings.Skip("credential check", $"token:clientId '{facts.ClientId}' is not an application id");
                    }
                }
            }
        }
        finally
        {
            hold.Dispose();
        }

        if (!facts.Exists)
        {
            var referencedBy = work.References.Count == 0 ? "no workflow in its resource group references it" : "referenced by " + UserList(work.References);
            findings.Add(DiagnosisCause.ConnectionDeleted, $"connection does not exist ({work.MissingEvidence}); {referencedBy}");
        }
        else
        {
            CheckStatuses(facts, findings);
            CheckTenant(status, subscriptionTenant, findings);
            if (userNotLookedUp.Length > 0)
            {
                findings.Note(userNotLookedUp);
            }

            var checks = new List<Task>
            {
                CheckUserAsync(status, userLookup, organizationLookup, findings),
                CheckApplicationAsync(facts, appLookup, findings),
                CheckIdentitiesAsync(work, findings, servicePrincipalLookup, cancellationToken),
            };
            if (_options.Live)
            {
                checks.Add(LiveTestAsync(facts, findings, result, cancellationToken));
            }

            if (_options.IncludeRunHistory)
            {
                checks.Add(ScanRunsAsync(work, findings, result, cancellationToken));
            }

            await Task.WhenAll(checks).ConfigureAwait(false);
        }

        return Build(work, findings, result, subscriptionTenant);
    }

    private ConnectorDiagnosis Build(InventoryEntry work, DiagnosisFindings findings, ConnectorDiagnosis result, string subscriptionTenant)
    {
        var status = work.Facts.Status;
        var causes = findings.EffectiveCauses(status.Status == ConnectionStatus.Error);
        var cause = causes.Count == 0 ? DiagnosisCause.None : causes[0];
        var (text, command) = RemediationAdvice.For(cause, new RemediationTarget
        {
            ResourceId = status.ResourceId,
            Name = status.Name,
            ApiName = status.ApiName,
            ApiId = work.Facts.ApiId,
            Location = status.Location.Length > 0 ? status.Location : LocationOf(work.Facts.ApiId),
            Kind = status.Kind.Length > 0 ? status.Kind : work.References.Any(u => u.IsStandardApp) ? "V2" : "V1",
            ClientId = work.Facts.ClientId,
            MissingGrant = findings.MissingGrant,
            ExpectedTenantId = subscriptionTenant,
            LiveTestRan = _options.Live,
            RunHistoryRan = _options.IncludeRunHistory,
        });

        result.ResourceId = status.ResourceId;
        result.SubscriptionId = status.SubscriptionId;
        result.ResourceGroupName = status.ResourceGroupName;
        result.Name = status.Name;
        result.ApiName = status.ApiName;
        result.Kind = status.Kind;
        result.Healthy = causes.Count == 0;
        result.Cause = cause;
        result.AllCauses = string.Join(";", causes);
        result.Severity = SeverityOf(causes, status);
        result.Evidence = findings.Evidence();
        result.Remediation = text;
        result.RemediationCommand = command;
        result.SkippedChecks = string.Join("; ", findings.Skipped);
        result.Status = status.Status;
        result.AuthenticationType = status.AuthenticationType;
        result.AuthenticatedUser = status.AuthenticatedUser;
        result.TenantId = status.TenantId;
        var names = work.References.Select(u => u.Name).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
        result.UsedBy = string.Join(";", names);
        result.UsedByCount = names.Count;
        result.Exists = status.Exists;
        return result;
    }

    /// <summary>Error when the connection is broken (or will break at its next token refresh); Warning when only at risk or unproven.</summary>
    public static DiagnosisSeverity SeverityOf(IReadOnlyList<DiagnosisCause> causes, ConnectorStatus status)
    {
        if (causes.Count == 0)
        {
            return DiagnosisSeverity.None;
        }

        bool broken = status.Status == ConnectionStatus.Error || !status.Exists
            || causes.Any(c => c != DiagnosisCause.WrongTenant && c != DiagnosisCause.Unknown);
        return broken ? DiagnosisSeverity.Error : DiagnosisSeverity.Warning;
    }

    private static void CheckStatuses(ConnectionFacts facts, DiagnosisFindings findings)
    {
        for (int i = 0; i < facts.Errors.Count; i++)
        {
            var (code, message) = facts.Errors[i];
            var finding = StatusClassifier.Classify(code, message, $"statuses[{i}]");
            if (finding.Cause == DiagnosisCause.Unknown)
            {
                findings.Failure(finding.Evidence);
            }
            else
            {
                findings.Add(finding.Cause, finding.Evidence);
            }
        }

        if (facts.Errors.Count == 0 && facts.Status.Status == ConnectionStatus.Error)
        {
            findings.Failure("overallStatus: Error (no error detail recorded)");
        }

        if (facts.FromResourceGraph)
        {
            findings.Note($"status {facts.Status.Status} as Azure Resource Graph recorded it (it can lag ARM by minutes; -NoResourceGraph reads it fresh)");
        }
    }

    private static void CheckTenant(ConnectorStatus status, string subscriptionTenant, DiagnosisFindings findings)
    {
        if (status.TenantId.Length > 0 && subscriptionTenant.Length > 0 && !SameId(status.TenantId, subscriptionTenant))
        {
            findings.Add(DiagnosisCause.WrongTenant, $"token:TenantId {status.TenantId} is not the subscription's tenant {subscriptionTenant}");
        }

        if (status.AuthenticatedUser.IndexOf("#EXT#", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            findings.Add(DiagnosisCause.WrongTenant, $"authorized by guest account {status.AuthenticatedUser} (#EXT#)");
        }
    }

    private async Task CheckUserAsync(ConnectorStatus status, Task<GraphResponse>? lookup, Task<GraphResponse>? organizationLookup, DiagnosisFindings findings)
    {
        if (lookup == null)
        {
            return;
        }

        var user = status.AuthenticatedUser;
        var answer = await lookup.ConfigureAwait(false);
        var organization = organizationLookup == null ? null : await organizationLookup.ConfigureAwait(false);
        if (!answer.Succeeded && answer.Status != 404)
        {
            SkipGraph(findings, "user check", "users", "User.Read.All", answer);
            return;
        }

        var domain = user.IndexOf("#EXT#", StringComparison.OrdinalIgnoreCase) >= 0 ? "" : user.Substring(user.LastIndexOf('@') + 1);
        var verified = VerifiedDomains(organization);
        bool foreignDomain = domain.Length > 0 && verified.Count > 0 && !verified.Contains(domain);
        if (answer.Status == 404)
        {
            if (foreignDomain)
            {
                findings.Add(DiagnosisCause.WrongTenant, $"Graph: {user} is not in the directory and {domain} is not one of its verified domains (an account of another tenant)");
            }
            else
            {
                findings.Add(DiagnosisCause.UserNotFound, $"Graph: user {user} not found (404 {answer.ErrorCode})".Replace(" )", ")"));
            }

            return;
        }

        var body = answer.Body ?? default;
        var enabled = Json.Path(body, "accountEnabled");
        if (foreignDomain)
        {
            findings.Note($"account domain {domain} is not a verified domain of the tenant");
        }

        if (string.Equals(Json.String(body, "userType"), "Guest", StringComparison.OrdinalIgnoreCase) && user.IndexOf("#EXT#", StringComparison.OrdinalIgnoreCase) < 0)
        {
            findings.Note($"Graph: {user} is a guest (userType Guest)");
        }

        if (enabled is JsonElement flag && (flag.ValueKind == JsonValueKind.False || flag.ValueKind == JsonValueKind.True))
        {
            if (flag.ValueKind == JsonValueKind.False)
            {
                findings.Add(DiagnosisCause.UserAccountDisabled, $"Graph: user {user} accountEnabled=false");
            }
            else
            {
                findings.Note($"Graph: user {user} accountEnabled=true");
            }
        }
        else
        {
            findings.Skip("user check", "Graph returned no accountEnabled for " + user);
        }
    }

    private async Task CheckApplicationAsync(ConnectionFacts facts, Task<GraphResponse>? lookup, DiagnosisFindings findings)
    {
        if (lookup == null)
        {
            return;
        }

        var answer = await lookup.ConfigureAwait(false);
        if (!answer.Succeeded)
        {
            SkipGraph(findings, "credential check", "applications", "Application.Read.All", answer);
            return;
        }

        var application = Json.Path(answer.Body ?? default, "value") is JsonElement value && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
            ? value[0]
            : (JsonElement?)null;
        if (application == null)
        {
            findings.Skip("credential check", $"no application with appId {facts.ClientId} in the directory (registered in another tenant?)");
            return;
        }

        var results = CredentialCheck.Evaluate(application.Value, _options.Now);
        foreach (var (cause, evidence) in results)
        {
            findings.Add(cause, evidence);
        }

        if (results.Count == 0)
        {
            findings.Note($"Graph: application {facts.ClientId} has a valid credential");
        }
    }

    private void SkipGraph(DiagnosisFindings findings, string check, string resource, string permission, GraphResponse answer)
    {
        if (answer.Status == 0 && answer.ErrorCode == "NoGraphCredential")
        {
            findings.Skip(check, "no Microsoft Graph credential in this session");
            Warn("graph-none", "Microsoft Graph checks were skipped: the session has no Graph token. Sign in with a credential that can get one, or pass -MicrosoftGraphAccessToken to Connect-LogicAppAuth.");
            return;
        }

        var seen = answer.Describe();
        findings.Skip(check, $"Graph /{resource} answered {seen}" + (answer.Status == 403 || answer.Status == 401 ? $" (needs {permission})" : ""));
        if (answer.Status == 403 || answer.Status == 401)
        {
            Warn("graph:" + permission, $"Microsoft Graph refused to read {resource} ({seen}); the {check}s were skipped and those connections are not called healthy. Grant the signed-in identity {permission}.");
        }
        else
        {
            Warn("graph:" + resource + ":" + answer.Status, $"Microsoft Graph /{resource} answered {seen}; the {check}s were skipped. {answer.ErrorMessage}".Trim());
        }
    }

    private async Task<string> SubscriptionTenantAsync(string subscriptionId, DiagnosisFindings findings)
    {
        try
        {
            return await ReadSubscriptionTenantAsync(subscriptionId).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e)
        {
            findings.Skip("tenant check", $"subscription {subscriptionId} not readable ({e.HttpStatus} {e.ErrorId})");
            return "";
        }
    }

    /// <summary>A subscription's tenant: from the subscription list when the inventory read one, else one GET per subscription.</summary>
    private Task<string> ReadSubscriptionTenantAsync(string subscriptionId) =>
        _subscriptionTenants.GetAsync(subscriptionId, async () =>
        {
            var listed = ListedTenantOf(subscriptionId);
            if (listed.Length > 0)
            {
                return listed;
            }

            using var document = await _arm.GetAsync($"/subscriptions/{subscriptionId}?api-version={ApiVersions.Subscriptions}", "/subscriptions/" + subscriptionId, _callCancellation)
                .ConfigureAwait(false);
            return Json.String(document.RootElement, "tenantId");
        });

    private string ListedTenantOf(string subscriptionId) =>
        _inventoryOptions.VisibleSubscriptions?.FirstOrDefault(s => SameId(s.SubscriptionId, subscriptionId))?.TenantId ?? "";

    private static HashSet<string> VerifiedDomains(GraphResponse? organization)
    {
        var domains = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (organization != null && organization.Succeeded && Json.Path(organization.Body ?? default, "value") is JsonElement orgs && orgs.ValueKind == JsonValueKind.Array)
        {
            foreach (var org in orgs.EnumerateArray())
            {
                if (Json.Path(org, "verifiedDomains") is JsonElement list && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var d in list.EnumerateArray())
                    {
                        var name = Json.String(d, "name");
                        if (name.Length > 0)
                        {
                            domains.Add(name);
                        }
                    }
                }
            }
        }

        return domains;
    }

    /// <summary>
    /// Asks, while the inventory is still reading who uses what, for what the connection's diagnosis will read, so that
    /// it overlaps the listing; the diagnosis then gets the same answers from the batcher and the caches. Graph is asked
    /// only what the diagnosis surely asks (a user whose token tenant cannot be compared yet waits for the diagnosis);
    /// a subscription's role assignments and target candidates, one list each, are read once a connection there could
    /// need a role check.
    /// </summary>
    private void Prefetch(ConnectionFacts facts)
    {
        var status = facts.Status;
        if (!facts.Exists)
        {
            return;
        }

        // A role check reads its subscription's role assignments and target candidates, one list each.
        var requirement = ConnectorRequirements.For(facts.BuiltIn?.ManagedApi ?? status.ApiName);
        var servicePrincipal = Guid.TryParse(facts.ClientId, out var appId);
        if (requirement != null && (servicePrincipal || status.AuthenticationType == AuthenticationType.ManagedIdentity))
        {
            Observe(_access.ReadSubscriptionAssignmentsAsync(status.SubscriptionId, _callCancellation));
            if (requirement.TargetParameters.Any(facts.Parameters.ContainsKey))
            {
                Observe(_access.TargetsAsync(status.SubscriptionId, requirement.ResourceType, _callCancellation));
            }
        }

        if (facts.BuiltIn != null)
        {
            return;
        }

        // Every API connection's diagnosis starts with its subscription's tenant.
        Observe(ReadSubscriptionTenantAsync(status.SubscriptionId));
        var tenant = ListedTenantOf(status.SubscriptionId);
        if (status.AuthenticatedUser.Length > 0 && (status.TenantId.Length == 0 || (tenant.Length > 0 && SameId(tenant, status.TenantId))))
        {
            _ = _graph.GetAsync(OrganizationPath);
            _ = _graph.GetAsync(UserPath(status.AuthenticatedUser));
        }

        if (string.Equals(status.Kind, "V2", StringComparison.OrdinalIgnoreCase))
        {
            // Read by the access policy check of every V2 connection a Standard app signs in to with its identity.
            Observe(_access.AccessPolicyPrincipalsAsync(status.ResourceId, _callCancellation));
        }

        if (servicePrincipal)
        {
            _ = _graph.GetAsync(ApplicationPath(appId));
            if (requirement != null)
            {
                _ = _graph.GetAsync(ServicePrincipalPath(appId));
            }
        }
    }

    /// <summary>A read started ahead keeps its failure for the diagnosis that asks again; here it is only observed.</summary>
    private static void Observe(Task read) => read.ContinueWith(t => t.Exception, TaskScheduler.Default);

    /// <summary>applications filtered by appId, with the credentials the expiry check reads.</summary>
    internal static string ApplicationPath(Guid appId) => $"applications?$filter=appId%20eq%20'{appId:D}'&$select=id,appId,displayName,passwordCredentials,keyCredentials";

    /// <summary>servicePrincipals filtered by appId, with only what the role check needs.</summary>
    internal static string ServicePrincipalPath(Guid appId) => $"servicePrincipals?$filter=appId%20eq%20'{appId:D}'&$select=id,appId,displayName";

    /// <summary>users/{upn}: '#' of guest UPNs is escaped; a UPN starting with '$' uses the users('...') form.</summary>
    internal static string UserPath(string userPrincipalName)
    {
        const string select = "?$select=id,accountEnabled,userPrincipalName,userType,displayName";
        return userPrincipalName.StartsWith("$", StringComparison.Ordinal)
            ? "users('" + Uri.EscapeDataString(userPrincipalName.Replace("'", "''")) + "')" + select
            : "users/" + Uri.EscapeDataString(userPrincipalName).Replace("%40", "@") + select;
    }

    private static bool SameId(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string UserList(IEnumerable<ConnectionReference> users) =>
        string.Join(", ", users.Select(u => $"{u.Kind} {u.Name}").Distinct(StringComparer.OrdinalIgnoreCase));

    private static string LocationOf(string apiId)
    {
        var parts = (apiId ?? "").Split('/');
        int index = Array.FindIndex(parts, p => string.Equals(p, "locations", StringComparison.OrdinalIgnoreCase));
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : "";
    }

    private static string Date(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "";
}
