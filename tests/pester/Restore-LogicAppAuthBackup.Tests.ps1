# Restore-LogicAppAuthBackup: backup + restore round trip, -WhatIf, refusal after a later change, idempotence. Own sandbox; the request log is the witness.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = '3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d'
    $rg = "/subscriptions/$sub/resourceGroups/rg-integration"
    $connections = "$rg/providers/Microsoft.Web/connections"
    $workflows = "$rg/providers/Microsoft.Logic/workflows"
    $adminToken = New-SandboxToken -Sandbox $sb -Principal admin
    $parameters = Get-SandboxConnectParameters -Sandbox $sb
    Connect-LogicAppAuth @parameters | Out-Null

    function Get-Workflow([string] $Name) { Invoke-Arm GET "$workflows/$Name" '2019-05-01' | ConvertFrom-Json -AsHashtable -Depth 100 }
    function Get-Connection([string] $Name) { Invoke-Arm GET "$connections/$Name" '2016-06-01' | ConvertFrom-Json -AsHashtable -Depth 100 }
    function Get-Writes { @(Get-SandboxRequestLog -Sandbox $sb | Where-Object method -in 'PUT', 'PATCH', 'DELETE') }
    function ConvertTo-Canonical($Value) { $Value | ConvertTo-Json -Depth 100 -Compress }
    # What a restore must bring back: everything but the fields the service stamps on every save.
    function Get-Comparable([hashtable] $Document) {
        $copy = $Document | ConvertTo-Json -Depth 100 | ConvertFrom-Json -AsHashtable -Depth 100
        foreach ($name in 'changedTime', 'version', 'statuses', 'overallStatus', 'testLinks', 'testRequests', 'authenticatedUser', 'connectionState', 'api') { $copy.properties.Remove($name) }
        $copy.Remove('etag')
        ConvertTo-Canonical $copy
    }
}

AfterAll {
    Disconnect-LogicAppAuth
    $sb | Stop-LogicAppAuthSandbox
}

Describe 'Restore-LogicAppAuthBackup round trip' {
    BeforeAll {
        $blob = "$connections/azureblob-sp-cert-expired"
        $workflowBefore = Get-Workflow 'wf-blob-export'
        $connectionBefore = Get-Connection 'azureblob-sp-cert-expired'
        $folder = Join-Path $TestDrive 'fix'
        $fix = @(Set-LogicConnectorManagedIdentity -ResourceId $blob -BackupPath $folder -PassThru)
        $assignment = ($fix | Where-Object Operation -eq 'AssignRole').TargetResourceId
    }

    It 'the fix changed the workflow, the connection and the role assignments' {
        $fix.Status | Should -Be @('Applied', 'Applied', 'Applied', 'Applied')
        (Get-Workflow 'wf-blob-export').identity.type | Should -Be 'SystemAssigned'
        Invoke-Arm GET $assignment '2022-04-01' | ConvertFrom-Json | Select-Object -ExpandProperty name | Should -Be $assignment.Split('/')[-1]
    }

    It '-WhatIf prints each change and sends no write' {
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $folder -WhatIf
        Get-Writes | Should -BeNullOrEmpty
        (Get-Workflow 'wf-blob-export').identity.type | Should -Be 'SystemAssigned'
    }

    It 'puts the connection and the workflow back and deletes the role assignment the fix created' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @($fix | Select-Object -First 1 | Restore-LogicAppAuthBackup -Confirm:$false -PassThru -WarningVariable warned -WarningAction SilentlyContinue)
        @(Get-Writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @("PUT $blob", "DELETE $assignment", "PUT $workflows/wf-blob-export")
        $results.Operation | Should -Be @('RestoreResource', 'DeleteRoleAssignment', 'RestoreResource')
        $results.Status | Select-Object -Unique | Should -Be 'Applied'
        $warned | Should -BeLike '*secret*'

        $workflow = Get-Workflow 'wf-blob-export'
        $workflow.Contains('identity') | Should -BeFalse
        Get-Comparable $workflow | Should -Be (Get-Comparable $workflowBefore)
        Get-Comparable (Get-Connection 'azureblob-sp-cert-expired') | Should -Be (Get-Comparable $connectionBefore)
        (Invoke-Arm GET $assignment '2022-04-01' | ConvertFrom-Json).error.code | Should -Not -BeNullOrEmpty
        Test-Path "$folder-before-restore-*" | Should -BeTrue
    }

    It 'sends no write when run again' {
        Clear-SandboxRequestLog -Sandbox $sb
        $again = @(Restore-LogicAppAuthBackup -Path $folder -Confirm:$false -PassThru -WarningAction SilentlyContinue)
        Get-Writes | Should -BeNullOrEmpty
        $again.Status | Select-Object -Unique | Should -Be 'AlreadyInPlace'
    }
}

Describe 'Restore-LogicAppAuthBackup after a later change' {
    BeforeAll {
        $kv = "$connections/keyvault-sp-secret-expired"
        $folder = Join-Path $TestDrive 'kv'
        Set-LogicConnectorManagedIdentity -ResourceId $kv -BackupPath $folder
        # Someone saves the workflow after the fix (a tag added through a full PUT).
        $later = Get-Workflow 'wf-secret-rotation'
        $later.tags = @{ owner = 'someone-else' }
        Invoke-Arm PUT "$workflows/wf-secret-rotation" '2019-05-01' ($later | ConvertTo-Json -Depth 100) | Out-Null
    }

    It 'refuses, names the changed resource, and sends nothing' {
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $folder -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ResourceChangedSinceFix*'
        $failed[0].Exception.Message | Should -BeLike '*workflow wf-secret-rotation changed after the fix*-Force*'
        Get-Writes | Should -BeNullOrEmpty
        (Get-Workflow 'wf-secret-rotation').tags.owner | Should -Be 'someone-else'
    }

    It 'restores with -Force' {
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $folder -Force -Confirm:$false -WarningAction SilentlyContinue
        (Get-Writes).Count | Should -Be 3
        $workflow = Get-Workflow 'wf-secret-rotation'
        $workflow.Contains('identity') | Should -BeFalse
        $workflow.tags.Count | Should -Be 0
        (Get-Connection 'keyvault-sp-secret-expired').properties.nonSecretParameterValues.'token:grantType' | Should -Be 'client_credentials'
    }

    It 'reports a folder without a manifest as BackupNotFound' {
        Restore-LogicAppAuthBackup -Path (Join-Path $TestDrive 'nothing-here') -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
