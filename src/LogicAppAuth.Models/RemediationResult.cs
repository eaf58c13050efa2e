namespace LogicAppAuth;

/// <summary>
/// One change that Set-LogicConnectorManagedIdentity or Restore-LogicAppAuthBackup made, found in place, or
/// left out. ResourceId is the connection being fixed (or the resource restored), so the object pipes on to
/// Test-LogicConnectorAuth; TargetResourceId is the resource the change wrote to. Flat by contract.
/// </summary>
public sealed class RemediationResult
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public string ApiName { get; set; } = "";

    /// <summary>EnableIdentity, SetConnectionAuthentication, RewireWorkflow, AssignRole, AddVaultAccessPolicy, AddAccessPolicy, RestoreResource, DeleteRoleAssignment, DeleteAccessPolicy.</summary>
    public RemediationOperation Operation { get; set; }

    public RemediationStatus Status { get; set; }

    /// <summary>The resource the change writes to (a workflow, connection, site, role assignment, access policy).</summary>
    public string TargetResourceId { get; set; } = "";

    /// <summary>What the change does, in one line.</summary>
    public string Description { get; set; } = "";

    /// <summary>The HTTP method and the resource it is sent to, e.g. "PATCH .../workflows/wf-a".</summary>
    public string Request { get; set; } = "";

    /// <summary>The managed identity's principal (object) id, when the change concerns one.</summary>
    public string PrincipalId { get; set; } = "";

    public string RoleName { get; set; } = "";

    /// <summary>The scope of a role assignment (the target resource).</summary>
    public string Scope { get; set; } = "";

    /// <summary>The folder that holds the backups and manifest of this run ("" when nothing was written).</summary>
    public string BackupPath { get; set; } = "";
}

public enum RemediationOperation
{
    EnableIdentity,
    SetConnectionAuthentication,
    RewireWorkflow,
    AssignRole,
    AddVaultAccessPolicy,
    AddAccessPolicy,
    RestoreResource,
    DeleteRoleAssignment,
    DeleteAccessPolicy,
    RemoveVaultAccessPolicy,
    SetAppConnectionAuthentication,
}

public enum RemediationStatus
{
    /// <summary>The change was sent and accepted.</summary>
    Applied,

    /// <summary>Nothing to do: the resource is already as the fix wants it (no request sent).</summary>
    AlreadyInPlace,

    /// <summary>-Confirm was answered No (or -WhatIf): nothing sent.</summary>
    Declined,

    /// <summary>Not sent because a change it depends on was declined or failed.</summary>
    Skipped,
}
