# Set-LogicConnectorManagedIdentity against a sandbox of its own (the fixes change state), with the sandbox's request log as the witness.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = $Contoso.SubscriptionId
    $rg = "/subscriptions/$sub/resourceGroups/rg-integration"
    $connections = "$rg/providers/Microsoft.Web/connections"
    $workflows = "$rg/providers/Microsoft.Logic/workflows"
    $adminToken = New-SandboxToken -Sandbox $sb -Principal admin

    function Connect-As([string] $Principal = 'admin') {
        $parameters = Get-SandboxConnectParameters -Sandbox $sb -Principal $Principal
        Connect-LogicAppAuth @parameters | Out-Null
    }

    function Get-Workflow([string] $Name) { Invoke-Arm GET "$workflows/$Name" '2019-05-01' | ConvertFrom-Json -AsHashtable -Depth 100 }
    function Get-Connection([string] $Name) { Invoke-Arm GET "$connections/$Name" '2016-06-01' | ConvertFrom-Json -AsHashtable -Depth 100 }
    function Get-RoleAssignments([string] $PrincipalId) {
        $filter = [uri]::EscapeDataString("principalId eq '$PrincipalId'")
        (Invoke-Arm GET "/subscriptions/$sub/providers/Microsoft.Authorization/roleAssignments?`$filter=$filter" '2022-04-01' | ConvertFrom-Json).value
    }
    function Get-Writes { @(Get-SandboxRequestLog -Sandbox $sb | Where-Object method -in 'PUT', 'PATCH', 'DELETE') }
    function ConvertTo-Canonical($Value) { $Value | ConvertTo-Json -Depth 100 -Compress }
    # -WhatIf writes to the host, so it runs in a fresh pwsh whose output is captured; returns the "What if:" lines.
    function Get-WhatIfLines([string] $Id, [string] $TargetResourceId) {
        $printed = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath, $Parameters, $Id, $TargetResourceId)
            Import-Module $ModulePath
            $Parameters.ClientSecret = ConvertTo-SecureString $Parameters.ClientSecret -AsPlainText -Force
            Connect-LogicAppAuth @Parameters | Out-Null
            $target = if ($TargetResourceId) { @{ TargetResourceId = $TargetResourceId } } else { @{} }
            Set-LogicConnectorManagedIdentity -ResourceId $Id -WhatIf @target
        } -ArgumentList $ModulePath, (Get-SandboxConnectParameters -Sandbox $sb | ForEach-Object { $_.ClientSecret = $sb.principals.admin.clientSecret; $_ }), $Id, $TargetResourceId
        @($printed | Where-Object { "$_" -like 'What if:*' } | ForEach-Object { "$_" })
    }

    Connect-As admin
}

AfterAll {
    Disconnect-LogicAppAuth
    $sb | Stop-LogicAppAuthSandbox
}

Describe 'Set-LogicConnectorManagedIdentity on a Consumption service-principal connection (keyvault)' {
    BeforeAll {
        $kv = "$connections/keyvault-sp-secret-expired"
        $vault = "$rg/providers/Microsoft.KeyVault/vaults/kv-contoso-secrets"
        $workflowBefore = Get-Workflow 'wf-secret-rotation'
        $backup = Join-Path $TestDrive 'kv'
    }

    It '-WhatIf prints each change, resource by resource, and sends no write' {
        Clear-SandboxRequestLog -Sandbox $sb
        $lines = @(Get-WhatIfLines $kv)
        $lines.Count | Should -Be 4
        $lines[0] | Should -BeLike '*Enable the system-assigned managed identity of workflow wf-secret-rotation*PATCH*'
        $lines[1] | Should -BeLike '*Grant Key Vault Secrets User on /subscriptions/*/providers/Microsoft.KeyVault/vaults/kv-contoso-secrets to *'
        $lines[2] | Should -BeLike "*Switch connection keyvault-sp-secret-expired*oauthMI*PUT*"
        $lines[3] | Should -BeLike "*connectionProperties.authentication*wf-secret-rotation*PUT*"
        Get-Writes | Should -BeNullOrEmpty
        ConvertTo-Canonical (Get-Workflow 'wf-secret-rotation') | Should -Be (ConvertTo-Canonical $workflowBefore)
    }

    It 'sends exactly the expected writes, in order, with backups first' {
        Clear-SandboxRequestLog -Sandbox $sb
        $script:results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $kv -BackupPath $backup -PassThru)
        $writes = Get-Writes
        @($writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @(
            "PATCH $workflows/wf-secret-rotation"
            "PUT $vault/providers/Microsoft.Authorization/roleAssignments/$($results[1].TargetResourceId.Split('/')[-1])"
            "PUT $kv"
            "PUT $workflows/wf-secret-rotation")
        $writes.status | ForEach-Object { $_ | Should -BeIn 200, 201 }
        $results | ForEach-Object { $_ | Should -BeOfType ([LogicAppAuth.RemediationResult]) }
        $results.Status | Should -Be @('Applied', 'Applied', 'Applied', 'Applied')
        $results.ResourceId | Select-Object -Unique | Should -Be $kv
        $results[0].BackupPath | Should -Be $backup
        $manifest = Get-Content (Join-Path $backup 'manifest.json') -Raw | ConvertFrom-Json
        $manifest.entries.kind | Should -Be @('Resource', 'RoleAssignment', 'Resource')
        $saved = Get-Content (Join-Path $backup $manifest.entries[0].file) -Raw | ConvertFrom-Json -AsHashtable -Depth 100
        ConvertTo-Canonical $saved | Should -Be (ConvertTo-Canonical $workflowBefore)
    }

    It 'leaves the workflow definition byte-for-byte equal and changes only the $connections authentication and the identity' {
        $after = Get-Workflow 'wf-secret-rotation'
        ConvertTo-Canonical $after.properties.definition | Should -Be (ConvertTo-Canonical $workflowBefore.properties.definition)
        $after.identity.type | Should -Be 'SystemAssigned'
        $after.identity.principalId | Should -Not -BeNullOrEmpty
        ConvertTo-Canonical $after.properties.parameters.'$connections'.value.keyvault.connectionProperties.authentication |
            Should -Be (ConvertTo-Canonical ([ordered]@{ type = 'ManagedServiceIdentity' }))
        $after.properties.parameters.'$connections'.value.keyvault.Remove('connectionProperties')
        ConvertTo-Canonical $after.properties.parameters | Should -Be (ConvertTo-Canonical $workflowBefore.properties.parameters)
        foreach ($name in 'location', 'tags', 'id', 'name', 'type') { ConvertTo-Canonical $after[$name] | Should -Be (ConvertTo-Canonical $workflowBefore[$name]) }
        foreach ($name in 'state', 'accessEndpoint', 'createdTime', 'endpointsConfiguration') {
            ConvertTo-Canonical $after.properties[$name] | Should -Be (ConvertTo-Canonical $workflowBefore.properties[$name])
        }
    }

    It 'makes the connection a Key Vault managed-identity (oauthMI) connection that keeps its vault name, and reads it back as one' {
        $connection = Get-Connection 'keyvault-sp-secret-expired'
        $connection.properties.parameterValueSet.name | Should -Be 'oauthMI'
        $connection.properties.parameterValueSet.values.vaultName.value | Should -Be 'kv-contoso-secrets'
        $connection.properties.nonSecretParameterValues.Keys | Where-Object { $_ -like 'token:*' } | Should -BeNullOrEmpty
        $connection.properties.displayName | Should -Be 'keyvault-sp'
        $status = Get-LogicConnectorStatus -ResourceId $kv
        $status.AuthenticationType | Should -Be 'ManagedIdentity'
        $status.Status | Should -Be 'Connected'
    }

    It 'grants only Key Vault Secrets User, at the vault, to the workflow identity, as a ServicePrincipal' {
        $principal = (Get-Workflow 'wf-secret-rotation').identity.principalId
        $assignments = @(Get-RoleAssignments $principal)
        $assignments.Count | Should -Be 1
        $assignments[0].properties.roleDefinitionId | Should -BeLike '*/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6'
        $assignments[0].properties.scope | Should -Be $vault
        $assignments[0].properties.principalType | Should -Be 'ServicePrincipal'
        $results[1].RoleName | Should -Be 'Key Vault Secrets User'
        $results[1].Scope | Should -Be $vault
    }

    It 'sends no write when run again, and reports everything in place' {
        Clear-SandboxRequestLog -Sandbox $sb
        $again = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $kv -BackupPath (Join-Path $TestDrive 'kv-again') -PassThru)
        Get-Writes | Should -BeNullOrEmpty
        $again.Status | Select-Object -Unique | Should -Be 'AlreadyInPlace'
        $again.Count | Should -Be 4
        Test-Path (Join-Path $TestDrive 'kv-again') | Should -BeFalse
    }

    It 'is then diagnosed healthy by Test-LogicConnectorAuth' {
        if (-not (Get-Command Test-LogicConnectorAuth -ErrorAction SilentlyContinue)) { Set-ItResult -Skipped -Because 'Test-LogicConnectorAuth is not exported'; return }
        $diagnosis = Test-LogicConnectorAuth -ResourceId $kv
        $diagnosis.Cause | Should -Be 'None'
        $diagnosis.Healthy | Should -BeTrue
    }
}

Describe 'Set-LogicConnectorManagedIdentity without enough rights' {
    BeforeAll { $blobSp = "$connections/azureblob-sp-cert-expired" }
    AfterEach { Connect-As admin }

    It 'gives a Reader-only caller PermissionDenied, says nothing was changed, and leaves nothing changed' {
        $workflowBefore = ConvertTo-Canonical (Get-Workflow 'wf-blob-export')
        $connectionBefore = ConvertTo-Canonical (Get-Connection 'azureblob-sp-cert-expired')
        Connect-As reader
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $blobSp -BackupPath (Join-Path $TestDrive 'reader-run') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AuthorizationFailed*'
        $failed[0].Exception.Message | Should -BeLike '*No earlier change had been made for this connection, so nothing is half-done*'
        $writes = Get-Writes
        $writes.Count | Should -Be 1
        $writes[0].status | Should -Be 403
        ConvertTo-Canonical (Get-Workflow 'wf-blob-export') | Should -Be $workflowBefore
        ConvertTo-Canonical (Get-Connection 'azureblob-sp-cert-expired') | Should -Be $connectionBefore
    }

    It 'lists the changes already made, and the command that undoes them, when a later step is refused' {
        # norole gets Contributor on the subscription: it may write workflows and connections, but not role assignments.
        $workflowBefore = Get-Workflow 'wf-blob-export'
        $assignment = "/subscriptions/$sub/providers/Microsoft.Authorization/roleAssignments/$([guid]::NewGuid())"
        $body = @{ properties = @{ roleDefinitionId = "/subscriptions/$sub/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"; principalId = $sb.principals.norole.objectId; principalType = 'ServicePrincipal' } } | ConvertTo-Json -Depth 5
        Invoke-Arm PUT $assignment '2022-04-01' $body | Out-Null
        try {
            Connect-As norole
            Clear-SandboxRequestLog -Sandbox $sb
            $folder = Join-Path $TestDrive 'half-done'
            Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $blobSp -BackupPath $folder -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $message = $failed[0].Exception.Message
            $message | Should -BeLike '*this step failed: Grant Storage Blob Data Contributor on /subscriptions/*/providers/Microsoft.Storage/storageAccounts/stcontosodata to *'
            $message | Should -BeLike '*Changes already made before it: (1) Enable the system-assigned managed identity of workflow wf-blob-export*'
            $message | Should -BeLike "*Restore-LogicAppAuthBackup -Path '$folder'*"
            $message | Should -BeLike '*Not sent: Switch connection azureblob-sp-cert-expired*'
            @(Get-Writes | Where-Object status -lt 400 | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @("PATCH $workflows/wf-blob-export")
        }
        finally {
            Invoke-Arm DELETE $assignment '2022-04-01' | Out-Null
        }

        Connect-As admin
        Restore-LogicAppAuthBackup -Path $folder -Confirm:$false
        $restored = Get-Workflow 'wf-blob-export'
        $restored.Contains('identity') | Should -BeFalse
        ConvertTo-Canonical $restored.properties.definition | Should -Be (ConvertTo-Canonical $workflowBefore.properties.definition)
        ConvertTo-Canonical $restored.properties.parameters | Should -Be (ConvertTo-Canonical $workflowBefore.properties.parameters)
    }
}

Describe 'Set-LogicConnectorManagedIdentity with pipeline input and targets' {
    It 'takes ConnectorStatus objects from Get-LogicConnectorStatus and switches a service-principal blob connection' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $sub |
            Where-Object Name -eq 'azureblob-sp-cert-expired' |
            Set-LogicConnectorManagedIdentity -Confirm:$false -BackupPath (Join-Path $TestDrive 'blob-sp') -PassThru)
        $results.Operation | Should -Be @('EnableIdentity', 'AssignRole', 'SetConnectionAuthentication', 'RewireWorkflow')
        (Get-Writes).Count | Should -Be 4
        $results[1].RoleName | Should -Be 'Storage Blob Data Contributor'
        $results[1].Scope | Should -Be "$rg/providers/Microsoft.Storage/storageAccounts/stcontosodata"
        (Get-Connection 'azureblob-sp-cert-expired').properties.parameterValueSet.values.accountName.value | Should -Be 'stcontosodata'
    }

    It 'gives the existing identity of a Service Bus workflow Azure Service Bus Data Sender at the namespace, and nothing else' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @([pscustomobject]@{ ResourceId = "$connections/servicebus-mi" } | Set-LogicConnectorManagedIdentity -Confirm:$false -BackupPath (Join-Path $TestDrive 'sb') -PassThru)
        $writes = Get-Writes
        $writes.Count | Should -Be 1
        $writes[0].method | Should -Be 'PUT'
        $writes[0].path | Should -BeLike "$rg/providers/Microsoft.ServiceBus/namespaces/sb-contoso-orders/providers/Microsoft.Authorization/roleAssignments/*"
        ($results | Where-Object Status -eq 'Applied').RoleName | Should -Be 'Azure Service Bus Data Sender'
        $roles = Get-RoleAssignments (Get-Workflow 'wf-order-queue').identity.principalId
        $roles.properties.roleDefinitionId | Should -BeLike '*/69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
        $roles.properties.roleDefinitionId | Should -Not -BeLike '*/b24988ac-6180-42a0-ab88-20f7382dd24c'
        $roles.properties.roleDefinitionId | Should -Not -BeLike '*/8e3af657-a8ff-443c-a75c-2fe8c4bcb635'
    }

    It 'refuses, with nothing written, when the connection does not name its target; -TargetResourceId fixes it' {
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceGroupName rg-integration -Name azureblob-mi -SubscriptionId $sub -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TargetResourceUnknown*'
        $failed[0].Exception.Message | Should -BeLike '*-TargetResourceId*'
        Get-Writes | Should -BeNullOrEmpty

        $account = "$rg/providers/Microsoft.Storage/storageAccounts/stcontosodata"
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceGroupName rg-integration -Name azureblob-mi -SubscriptionId $sub -TargetResourceId $account -BackupPath (Join-Path $TestDrive 'blob-mi') -PassThru)
        ($results | Where-Object Status -eq 'Applied').Operation | Should -Be @('EnableIdentity', 'AssignRole')
        ($results | Where-Object Operation -eq 'AssignRole').Scope | Should -Be $account
        (Get-Writes).Count | Should -Be 2
    }

    It 'grants the role -Role names instead of the table''s, and refuses unknown role names' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId "$connections/azureblob-mi" -TargetResourceId "$rg/providers/Microsoft.Storage/storageAccounts/stcontosodata" -Role 'Storage Blob Data Reader' -BackupPath (Join-Path $TestDrive 'reader') -PassThru)
        ($results | Where-Object Operation -eq 'AssignRole').RoleName | Should -Be 'Storage Blob Data Reader'
        { Set-LogicConnectorManagedIdentity -ResourceId "$connections/azureblob-mi" -Role 'Storage Wizard' } | Should -Throw -ErrorId 'UnknownRole*'
    }

    It 'adds the Standard app''s access policy to a V2 connection, once' {
        $v2 = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql-v2-nopolicy"
        $appPrincipal = 'df5cf40e-7a78-4287-ae7e-52729e1a2ba3'
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -BackupPath (Join-Path $TestDrive 'std') -PassThru)
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @("PUT $v2/accessPolicies/$appPrincipal")
        $applied = $results | Where-Object Status -eq 'Applied'
        $applied.Operation | Should -Be 'AddAccessPolicy'
        $applied.PrincipalId | Should -Be $appPrincipal
        $manifest = Get-Content (Join-Path $TestDrive 'std/manifest.json') -Raw | ConvertFrom-Json
        $manifest.entries.kind | Should -Be 'AccessPolicy'

        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -BackupPath (Join-Path $TestDrive 'std-again')
        Get-Writes | Should -BeNullOrEmpty
        if (Get-Command Test-LogicConnectorAuth -ErrorAction SilentlyContinue) {
            (Test-LogicConnectorAuth -ResourceId $v2).AllCauses | Should -Not -BeLike '*AccessPolicyMissing*'
        }
    }

    It 'refuses a user-assigned identity for a workflow that has a system-assigned one, and writes nothing' {
        Clear-SandboxRequestLog -Sandbox $sb
        $identity = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-logic"
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId "$connections/keyvault-sp-secret-expired" -UserAssignedIdentityId $identity -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IdentityConflict*'
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'refuses a connector without managed identity, naming the alternatives, and writes nothing' {
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId "$connections/office365-expired" -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ManagedIdentityNotSupported*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failed[0].TargetObject | Should -Be "$connections/office365-expired"
        foreach ($word in 're-consent', 'Get-LogicConnectorConsentLink', 'service principal', 'HTTP action', 'Microsoft Graph') { $failed[0].Exception.Message | Should -BeLike "*$word*" }
        Get-Writes | Should -BeNullOrEmpty
    }
}

Describe 'Set-LogicConnectorManagedIdentity on a Standard app whose connections.json signs in with a key' {
    BeforeAll {
        $v2 = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql-v2-nopolicy"
        $site = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std"
        $file = "$site/hostruntime/admin/vfs/connections.json"
        $appPrincipal = 'df5cf40e-7a78-4287-ae7e-52729e1a2ba3'
        # The app as a developer deployed it from VS Code: the sql entry authenticates with the connection key from an app setting.
        $content = (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | ConvertFrom-Json -AsHashtable -Depth 100
        $content.managedApiConnections.sql.authentication = [ordered]@{ type = 'Raw'; scheme = 'Key'; parameter = "@appsetting('sql-connectionKey')" }
        $keyText = $content | ConvertTo-Json -Depth 100
        Set-SandboxSiteFile -Sandbox $sb -SiteId $site -Text $keyText
        $policy = "$v2/accessPolicies/$appPrincipal"
        $policyExisted = (Invoke-Arm GET $policy '2016-06-01') -notlike '*"error"*'
        $backup = Join-Path $TestDrive 'std-file'
    }

    It '-WhatIf names the connections.json change and sends no write' {
        (Test-LogicConnectorAuth -ResourceId $v2).Evidence | Should -BeLike '*Standard app la-contoso-std authenticates to it with Raw authentication*'
        Clear-SandboxRequestLog -Sandbox $sb
        $lines = @(Get-WhatIfLines $v2)
        $lines[-1] | Should -Match ([regex]::Escape("Set ""authentication"" to ManagedServiceIdentity for managedApiConnections['sql'] in connections.json of Standard app la-contoso-std (was Raw;"))
        $lines[-1] | Should -BeLike "*``[PUT $file``]"
        Get-Writes | Should -BeNullOrEmpty
        (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | Should -BeExactly $keyText
    }

    It 'writes the file after the access policy, changing only the entry''s authentication, with the file backed up byte for byte' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -BackupPath $backup -PassThru)
        $expected = @(if (-not $policyExisted) { "PUT $policy" }) + "PUT $file"
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be $expected
        ($results | Where-Object Operation -eq 'SetAppConnectionAuthentication').Status | Should -Be 'Applied'
        ($results | Where-Object Operation -eq 'SetAppConnectionAuthentication').TargetResourceId | Should -Be $file

        $after = (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | ConvertFrom-Json -AsHashtable -Depth 100
        ConvertTo-Canonical $after.managedApiConnections.sql.authentication | Should -Be (ConvertTo-Canonical ([ordered]@{ type = 'ManagedServiceIdentity' }))
        $before = $keyText | ConvertFrom-Json -AsHashtable -Depth 100
        $after.managedApiConnections.sql.Remove('authentication'); $before.managedApiConnections.sql.Remove('authentication')
        ConvertTo-Canonical $after | Should -Be (ConvertTo-Canonical $before)

        $manifest = Get-Content (Join-Path $backup 'manifest.json') -Raw | ConvertFrom-Json
        $entry = $manifest.entries | Where-Object kind -eq 'File'
        $entry.resourceId | Should -Be $file
        [IO.File]::ReadAllText((Join-Path $backup $entry.file)) | Should -BeExactly $keyText
    }

    It 'is read back by listWorkflowsConnections, so the diagnosis sees the app use its managed identity' {
        $diagnosis = Test-LogicConnectorAuth -ResourceId $v2
        $diagnosis.AllCauses | Should -Not -BeLike '*AccessPolicyMissing*'
        $diagnosis.Evidence | Should -Not -BeLike '*authenticates to it with Raw*'
    }

    It 'sends no write when run again' {
        Clear-SandboxRequestLog -Sandbox $sb
        $again = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -BackupPath (Join-Path $TestDrive 'std-file-again') -PassThru)
        Get-Writes | Should -BeNullOrEmpty
        ($again | Where-Object Operation -eq 'SetAppConnectionAuthentication').Status | Should -Be 'AlreadyInPlace'
    }

    It 'Restore-LogicAppAuthBackup puts the file back byte for byte and removes what the fix created' {
        Clear-SandboxRequestLog -Sandbox $sb
        $restored = @(Restore-LogicAppAuthBackup -Path $backup -Confirm:$false -PassThru)
        $expected = @("PUT $file") + @(if (-not $policyExisted) { "DELETE $policy" })
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be $expected
        ($restored | Where-Object TargetResourceId -eq $file).Status | Should -Be 'Applied'
        (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | Should -BeExactly $keyText

        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $backup -Confirm:$false
        Get-Writes | Should -BeNullOrEmpty
    }
}

Describe 'Set-LogicConnectorManagedIdentity with a key vault that uses access policies' {
    BeforeAll {
        $kv = "$connections/keyvault-sp-secret-expired"
        $legacy = "$rg/providers/Microsoft.KeyVault/vaults/kv-contoso-legacy"
        # The workflow's identity may already list secrets there (but not read them): the fix adds only what is missing.
        $principal = (Get-Workflow 'wf-secret-rotation').identity.principalId
        $listOnly = @{ properties = @{ accessPolicies = @(@{ tenantId = $Contoso.TenantId; objectId = $principal; permissions = @{ secrets = @('list') } }) } }
        Invoke-Arm PUT "$legacy/accessPolicies/add" '2023-07-01' ($listOnly | ConvertTo-Json -Depth 10) | Out-Null
        $policiesBefore = ConvertTo-Canonical (Invoke-Arm GET $legacy '2023-07-01' | ConvertFrom-Json -AsHashtable -Depth 100).properties.accessPolicies
        $backup = Join-Path $TestDrive 'legacy'
    }

    It 'adds secret get (list it had already) to the workflow identity''s access policy, and assigns no role' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $kv -TargetResourceId $legacy -BackupPath $backup -PassThru)
        $writes = @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" })
        $writes | Should -Contain "PUT $legacy/accessPolicies/add"
        $writes | Where-Object { $_ -like '*roleAssignments*' } | Should -BeNullOrEmpty
        $added = $results | Where-Object Operation -eq 'AddVaultAccessPolicy'
        $added.Status | Should -Be 'Applied'
        $added.PrincipalId | Should -Be $principal
        $added.Description | Should -BeLike '*(secrets: get)*'
        $policies = (Invoke-Arm GET $legacy '2023-07-01' | ConvertFrom-Json).properties.accessPolicies
        $mine = @($policies | Where-Object objectId -eq $principal)
        $mine.Count | Should -Be 1
        $mine[0].permissions.secrets | Should -Be @('list', 'get')
        @($mine[0].permissions.keys) + @($mine[0].permissions.certificates) | Where-Object { $_ } | Should -BeNullOrEmpty
        ($policies | Where-Object objectId -eq 'a1b2c3d4-0001-4e5f-8a9b-000000000001').permissions.secrets | Should -Be @('get', 'list', 'set')
    }

    It 'sends no write when run again' {
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $kv -TargetResourceId $legacy -BackupPath (Join-Path $TestDrive 'legacy-again')
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'Restore-LogicAppAuthBackup removes only what it added and leaves the rest' {
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $backup -Confirm:$false
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Contain "PUT $legacy/accessPolicies/remove"
        ConvertTo-Canonical (Invoke-Arm GET $legacy '2023-07-01' | ConvertFrom-Json -AsHashtable -Depth 100).properties.accessPolicies | Should -Be $policiesBefore
    }
}

Describe 'Set-LogicConnectorManagedIdentity on a Standard app with a user-assigned identity' {
    BeforeAll {
        $v2 = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql-v2-nopolicy"
        $site = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std"
        $file = "$site/hostruntime/admin/vfs/connections.json"
        $identity = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-logic"
        $siteBefore = Invoke-Arm GET $site '2023-12-01' | ConvertFrom-Json -AsHashtable -Depth 100
        $fileBefore = (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text
        $backup = Join-Path $TestDrive 'std-uami'
    }

    It 'never attaches an identity that only connections.json names: a warning and diagnosis evidence, no write' {
        $content = $fileBefore | ConvertFrom-Json -AsHashtable -Depth 100
        $content.managedApiConnections.sql.authentication = [ordered]@{ type = 'ManagedServiceIdentity'; identity = $identity }
        Set-SandboxSiteFile -Sandbox $sb -SiteId $site -Text ($content | ConvertTo-Json -Depth 100)
        try {
            (Test-LogicConnectorAuth -ResourceId $v2).Evidence | Should -BeLike "*connections.json of Standard app la-contoso-std names user-assigned identity $identity, which the app does not hold*"
            Clear-SandboxRequestLog -Sandbox $sb
            $results = @(Set-LogicConnectorManagedIdentity -ResourceId $v2 -BackupPath (Join-Path $TestDrive 'borrowed') -PassThru -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue)
            Get-Writes | Should -BeNullOrEmpty
            $results | Should -BeNullOrEmpty
            "$warned" | Should -BeLike "*names user-assigned identity $identity *does not hold it. It was not attached*-UserAssignedIdentityId '$identity'*"
            (Invoke-Arm GET $site '2023-12-01' | ConvertFrom-Json -AsHashtable -Depth 100).identity.userAssignedIdentities | Should -BeNullOrEmpty
            Test-Path (Join-Path $TestDrive 'borrowed') | Should -BeFalse
        }
        finally { Set-SandboxSiteFile -Sandbox $sb -SiteId $site -Text $fileBefore }
    }

    It 'attaches the identity to the app, gives it an access policy, and names it in connections.json' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -UserAssignedIdentityId $identity -BackupPath $backup -PassThru)
        $siteAfter = Invoke-Arm GET $site '2023-12-01' | ConvertFrom-Json -AsHashtable -Depth 100
        $script:identityPrincipal = $siteAfter.identity.userAssignedIdentities[$identity].principalId
        $identityPrincipal | Should -Not -BeNullOrEmpty
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @("PATCH $site", "PUT $v2/accessPolicies/$identityPrincipal", "PUT $file")
        ($results | Where-Object Status -eq 'Applied').Operation | Should -Be @('EnableIdentity', 'AddAccessPolicy', 'SetAppConnectionAuthentication')
        ($results | Where-Object Operation -eq 'AddAccessPolicy').PrincipalId | Should -Be $identityPrincipal

        $siteAfter.identity.type | Should -Be 'SystemAssigned, UserAssigned'
        $siteAfter.identity.principalId | Should -Be $siteBefore.identity.principalId
        $siteAfter.identity.userAssignedIdentities.Keys | Should -Be @($identity)
        $authentication = ((Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | ConvertFrom-Json -AsHashtable -Depth 100).managedApiConnections.sql.authentication
        ConvertTo-Canonical $authentication | Should -Be (ConvertTo-Canonical ([ordered]@{ type = 'ManagedServiceIdentity'; identity = $identity }))
    }

    It 'sends no write when run again' {
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -UserAssignedIdentityId $identity -BackupPath (Join-Path $TestDrive 'std-uami-again')
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'Restore-LogicAppAuthBackup detaches the identity, removes its access policy and puts the file back' {
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $backup -Confirm:$false
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @("PUT $file", "DELETE $v2/accessPolicies/$identityPrincipal", "PATCH $site")
        (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | Should -BeExactly $fileBefore
        $siteAfter = Invoke-Arm GET $site '2023-12-01' | ConvertFrom-Json -AsHashtable -Depth 100
        $siteAfter.identity.type | Should -Be 'SystemAssigned'
        $siteAfter.identity.principalId | Should -Be $siteBefore.identity.principalId
    }
}

Describe 'Set-LogicConnectorManagedIdentity on a Standard app without an identity' {
    BeforeAll {
        $v2 = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql-v2-nopolicy"
        $site = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std"
        $file = "$site/hostruntime/admin/vfs/connections.json"
        # The app as a local deployment leaves it: no identity, and the sql entry signing in with the connection key.
        Invoke-Arm PATCH $site '2023-12-01' (@{ identity = @{ type = 'None' } } | ConvertTo-Json) | Out-Null
        $content = (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | ConvertFrom-Json -AsHashtable -Depth 100
        $content.managedApiConnections.sql.authentication = [ordered]@{ type = 'Raw'; scheme = 'Key'; parameter = "@appsetting('sql-connectionKey')" }
        Set-SandboxSiteFile -Sandbox $sb -SiteId $site -Text ($content | ConvertTo-Json -Depth 100)
    }

    It 'enables the app''s system-assigned identity first (waiting for the PATCH the app finishes later), then gives that new principal the access policy and switches the file' {
        (Invoke-Arm GET $site '2023-12-01' | ConvertFrom-Json -AsHashtable).Contains('identity') | Should -BeFalse
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $v2 -BackupPath (Join-Path $TestDrive 'std-none') -PassThru)
        $principal = (Invoke-Arm GET $site '2023-12-01' | ConvertFrom-Json).identity.principalId
        $principal | Should -Not -BeNullOrEmpty
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @("PATCH $site", "PUT $v2/accessPolicies/$principal", "PUT $file")
        # contoso's Standard app answers updates 202 + Azure-AsyncOperation; the fix polls the operation to its end before going on.
        @(Get-Writes | Where-Object { $_.method -eq 'PATCH' }).status | Should -Be 202
        @(Get-SandboxRequestLog -Sandbox $sb | Where-Object { $_.method -eq 'GET' -and $_.path -like '*/providers/Microsoft.Web/locations/*/operations/*' }).Count | Should -Be 2
        ($results | Where-Object Operation -eq 'EnableIdentity').Status | Should -Be 'Applied'
        ($results | Where-Object Operation -eq 'EnableIdentity').PrincipalId | Should -Be $principal
        ($results | Where-Object Operation -eq 'AddAccessPolicy').PrincipalId | Should -Be $principal
        (Test-LogicConnectorAuth -ResourceId $v2).AllCauses | Should -Not -BeLike '*AccessPolicyMissing*'
    }
}

Describe 'Set-LogicConnectorManagedIdentity with a target outside the connection''s resource group' {
    BeforeAll {
        # A connection and workflow in rg-standard whose accountName names the storage account in rg-integration.
        $standardGroup = "/subscriptions/$sub/resourceGroups/rg-standard"
        $crossConnection = "$standardGroup/providers/Microsoft.Web/connections/azureblob-cross-group"
        $crossWorkflow = "$standardGroup/providers/Microsoft.Logic/workflows/wf-cross-group"
        $account = "$rg/providers/Microsoft.Storage/storageAccounts/stcontosodata"
        $connection = Get-Connection 'azureblob-sp-cert-expired'
        Invoke-Arm PUT $crossConnection '2016-06-01' (@{ location = $connection.location; properties = @{ api = $connection.properties.api; displayName = 'cross group'; nonSecretParameterValues = $connection.properties.nonSecretParameterValues } } | ConvertTo-Json -Depth 20) | Out-Null
        $workflow = Get-Workflow 'wf-blob-export'
        $workflow.properties.parameters.'$connections'.value.azureblob.connectionId = $crossConnection
        $workflow.properties.parameters.'$connections'.value.azureblob.connectionName = 'azureblob-cross-group'
        Invoke-Arm PUT $crossWorkflow '2019-05-01' (@{ location = $workflow.location; properties = @{ state = 'Enabled'; definition = $workflow.properties.definition; parameters = $workflow.properties.parameters } } | ConvertTo-Json -Depth 100) | Out-Null
    }

    It 'refuses to grant on it unless -TargetResourceId names it, and sends no write' {
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -ResourceId $crossConnection -BackupPath (Join-Path $TestDrive 'cross') -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TargetOutsideResourceGroup*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failed[0].Exception.Message | Should -BeLike "*not in the connection's resource group rg-standard*$account*-TargetResourceId '$account'*"
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'plans the grant with the full target id when -TargetResourceId names it' {
        $lines = @(Get-WhatIfLines $crossConnection -TargetResourceId $account)
        $lines | Where-Object { $_ -like "*Grant Storage Blob Data Contributor on $account to *" } | Should -Not -BeNullOrEmpty
    }

    It 'refuses a backup folder that already holds files but no manifest, or another run''s manifest, and sends no write' {
        $used = Join-Path $TestDrive 'not-empty'
        New-Item -ItemType Directory $used | Out-Null
        'planted' | Set-Content (Join-Path $used 'notes.txt')
        $claimed = Join-Path $TestDrive 'claimed'
        New-Item -ItemType Directory $claimed | Out-Null
        '{}' | Set-Content (Join-Path $claimed 'manifest.json')
        foreach ($case in @{ Folder = $used; ErrorId = 'BackupPathNotEmpty' }, @{ Folder = $claimed; ErrorId = 'BackupPathInUse' }) {
            Clear-SandboxRequestLog -Sandbox $sb
            Set-LogicConnectorManagedIdentity -ResourceId $crossConnection -TargetResourceId $account -BackupPath $case.Folder -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike "$($case.ErrorId)*"
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-Writes | Should -BeNullOrEmpty
        }
        Get-ChildItem $used -Name | Should -Be @('notes.txt')
    }

    It 'keeps its backups private under the user''s data folder by default (0700 folder, 0600 files, no temporary left)' -Skip:$IsWindows {
        $dataHome = Join-Path $TestDrive 'data-home'
        $saved = $env:XDG_DATA_HOME
        $env:XDG_DATA_HOME = $dataHome
        try { $results = @(Set-LogicConnectorManagedIdentity -ResourceId $crossConnection -TargetResourceId $account -Confirm:$false -PassThru) }
        finally { $env:XDG_DATA_HOME = $saved }
        $folder = ($results | Where-Object BackupPath | Select-Object -First 1).BackupPath
        $folder | Should -BeLike (Join-Path $dataHome 'LogicAppAuth/backups/LogicAppAuth-backup-*')
        (Get-Item $folder).UnixMode | Should -Be 'drwx------'
        $files = @(Get-ChildItem $folder -Force)
        $files.Name | Should -Contain 'manifest.json'
        $files.Count | Should -BeGreaterThan 1
        $files | ForEach-Object { $_.UnixMode | Should -Be '-rw-------' -Because $_.Name }
        $files.Name | Where-Object { $_ -like '*.tmp' } | Should -BeNullOrEmpty
    }
}

Describe 'Set-LogicConnectorManagedIdentity on a workflow with secure parameters' {
    It 'refuses to PUT a workflow whose secure parameter values Azure does not return, naming them, and writes nothing' {
        # A copy of contoso whose wf-secret-rotation declares a SecureString parameter; its GET shows the entry without a value.
        $scenario = Get-Content (Join-Path $SandboxPath 'Scenarios/contoso.json') -Raw | ConvertFrom-Json -Depth 100
        $workflow = $scenario.resources | Where-Object name -eq 'wf-secret-rotation'
        $workflow.properties.definition.parameters | Add-Member -NotePropertyName apiKey -NotePropertyValue ([pscustomobject]@{ type = 'SecureString' })
        $workflow.properties.parameters | Add-Member -NotePropertyName apiKey -NotePropertyValue ([pscustomobject]@{})
        $scenario.name = 'contoso-secure-parameters'
        $file = Join-Path $TestDrive 'contoso-secure-parameters.json'
        $scenario | ConvertTo-Json -Depth 100 | Set-Content $file
        $secure = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario $file
        try {
            $parameters = Get-SandboxConnectParameters -Sandbox $secure
            Connect-LogicAppAuth @parameters | Out-Null
            Clear-SandboxRequestLog $secure
            $results = @(Set-LogicConnectorManagedIdentity -ResourceId "$connections/keyvault-sp-secret-expired" -BackupPath (Join-Path $TestDrive 'secure') `
                -Confirm:$false -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SecureParametersNotReturned,*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$($failures[0].TargetObject)" | Should -Be "$workflows/wf-secret-rotation"
            "$failures" | Should -Match 'secure parameters \(apiKey\).*nothing was changed'
            $results | Should -BeNullOrEmpty
            @(Get-SandboxRequestLog -Sandbox $secure | Where-Object method -in 'PUT', 'PATCH', 'DELETE') | Should -BeNullOrEmpty
        }
        finally {
            $secure | Stop-LogicAppAuthSandbox
            Connect-As admin
        }
    }
}

Describe 'Set-LogicConnectorManagedIdentity with a target of a type the module has no api-version for' {
    It 'reads it with the newest stable api-version its resource provider registers' {
        $sql = "$rg/providers/Microsoft.Sql/servers/sql-contoso-missing"
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -ResourceId "$connections/servicebus-mi" -TargetResourceId $sql -Role 'Reader' -WhatIf -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TargetResourceNotFound,*'
        $log = @(Get-SandboxRequestLog -Sandbox $sb)
        ($log | Where-Object path -eq "/subscriptions/$sub/providers/Microsoft.Sql").query | Should -BeLike '*api-version=2021-04-01*'
        # Microsoft.Sql registers 2024-05-01-preview, 2023-08-01, 2021-11-01 and 2014-04-01 for servers: the newest stable is taken.
        ($log | Where-Object path -eq $sql).query | Should -BeLike '*api-version=2023-08-01'
        Get-Writes | Should -BeNullOrEmpty
    }
}

Describe 'Set-LogicConnectorManagedIdentity api-versions' {
    It 'sent no request with an api-version its resource provider does not register, in any test of this file' {
        Get-SandboxRefusedApiVersion -Sandbox $sb | Should -BeNullOrEmpty
    }
}
