# Restore-LogicAppAuthBackup: backup + restore round trip, -WhatIf, refusal after a later change, idempotence. Own sandbox; the request log is the witness.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = $Contoso.SubscriptionId
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
        $fix = @(Set-LogicConnectorManagedIdentity -ResourceId $blob -BackupPath $folder -PassThru -Confirm:$false)
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
        Set-LogicConnectorManagedIdentity -ResourceId $kv -BackupPath $folder -Confirm:$false
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
        $failed[0].Exception.Message | Should -BeLike '*workflow */workflows/wf-secret-rotation changed after the fix*-Force*'
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

Describe 'Restore-LogicAppAuthBackup of a tampered backup folder' {
    # A backup folder is untrusted input: each probe edits a copy of a real fix's folder, and the restore must refuse
    # it as a whole (terminating, naming the entry) with no write in the request log.
    BeforeAll {
        $blob = "$connections/azureblob-sp-cert-expired"
        $original = Join-Path $TestDrive 'tamper-original'
        $fix = @(Set-LogicConnectorManagedIdentity -ResourceId $blob -BackupPath $original -PassThru -Confirm:$false)
        $assignment = ($fix | Where-Object Operation -eq 'AssignRole').TargetResourceId
        $healthy = "$connections/office365-healthy"
        $outside = Join-Path $TestDrive 'outside.json'
        '{ "managedApiConnections": { "attacker": {} } }' | Set-Content $outside -NoNewline

        function New-TamperedCopy([string] $Name, [scriptblock] $Edit) {
            $copy = Join-Path $TestDrive $Name
            Copy-Item $original $copy -Recurse
            $manifestPath = Join-Path $copy 'manifest.json'
            $manifest = Get-Content $manifestPath -Raw | ConvertFrom-Json -AsHashtable -Depth 100
            & $Edit $manifest $copy
            $manifest | ConvertTo-Json -Depth 100 | Set-Content $manifestPath
            $copy
        }
        function Get-Entry($Manifest, [string] $Kind, [string] $Like = '*') { $Manifest.entries | Where-Object { $_.kind -eq $Kind -and $_.resourceId -like $Like } | Select-Object -First 1 }
        function Assert-Refused([string] $Folder, [string] $Reason) {
            Clear-SandboxRequestLog -Sandbox $sb
            $thrown = $null
            try { Restore-LogicAppAuthBackup -Path $Folder -Force -Confirm:$false -WarningAction SilentlyContinue } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty -Because 'a tampered backup stops the call'
            $thrown.FullyQualifiedErrorId | Should -BeLike 'BackupEntryRefused*'
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeLike "*Entry *$Reason*nothing was restored*"
            Get-Writes | Should -BeNullOrEmpty
        }
    }

    It 'refuses a role-assignment entry that names another resource (foreign DELETE)' {
        $folder = New-TamperedCopy 'foreign-delete' { param($m) (Get-Entry $m 'RoleAssignment').resourceId = $healthy }
        Assert-Refused $folder 'role assignments only*'
        Invoke-Arm GET $healthy '2016-06-01' | ConvertFrom-Json | Select-Object -ExpandProperty name | Should -Be 'office365-healthy'
    }

    It 'refuses a role-assignment entry whose name is not the one the fix gives (another assignment at the target)' {
        $folder = New-TamperedCopy 'other-assignment' { param($m) $e = Get-Entry $m 'RoleAssignment'; $e.resourceId = $e.resourceId -replace '[0-9a-f-]{36}$', '00000000-0000-0000-0000-000000000001' }
        Assert-Refused $folder 'its name is not the one the fix gives*'
    }

    It 'refuses a resource entry for a resource the fix did not touch (foreign PUT)' {
        $folder = New-TamperedCopy 'foreign-put' { param($m) (Get-Entry $m 'Resource' '*/workflows/*').resourceId = "$workflows/wf-not-in-this-fix" }
        Assert-Refused $folder 'a fix saves only*'
    }

    It 'refuses a header that names a foreign resource next to an entry whose saved document is of another resource' {
        $folder = New-TamperedCopy 'foreign-put-header' {
            param($m)
            $m.fix.connections += $healthy
            (Get-Entry $m 'Resource' '*/connections/*').resourceId = $healthy
        }
        Assert-Refused $folder 'its saved document is of*'
    }

    It 'refuses a file that is not a plain name inside the folder (local file upload)' {
        foreach ($file in $outside, '../outside.json', '..') {
            $folder = New-TamperedCopy "local-file-$([array]::IndexOf(@($outside, '../outside.json', '..'), $file))" { param($m) (Get-Entry $m 'Resource' '*/connections/*').file = $file }
            Assert-Refused $folder 'is not a plain file name inside the backup folder*'
        }
    }

    It 'refuses a saved document that is a link out of the folder' -Skip:$IsWindows {
        $folder = New-TamperedCopy 'linked-file' {
            param($m, $copy)
            $entry = Get-Entry $m 'Resource' '*/connections/*'
            Remove-Item (Join-Path $copy $entry.file)
            New-Item -ItemType SymbolicLink -Path (Join-Path $copy $entry.file) -Target $outside | Out-Null
        }
        Assert-Refused $folder 'is a link*'
    }

    It 'refuses an edited document (its SHA-256 differs from the one recorded at backup time)' {
        $folder = New-TamperedCopy 'edited-document' {
            param($m, $copy)
            $path = Join-Path $copy (Get-Entry $m 'Resource' '*/workflows/*').file
            (Get-Content $path -Raw) -replace '"location"', '"tags": { "planted": "yes" }, "location"' | Set-Content $path -NoNewline
        }
        Assert-Refused $folder 'does not have the SHA-256 digest*'
    }

    It 'refuses an entry kind the fix never writes' {
        $folder = New-TamperedCopy 'unknown-kind' { param($m) (Get-Entry $m 'RoleAssignment').kind = 'Anything' }
        Assert-Refused $folder 'a fix records only*'
    }

    It 'refuses a role assignment that Azure shows with another role than the fix granted' {
        $folder = New-TamperedCopy 'swapped-role' { param($m) }
        $body = Invoke-Arm GET $assignment '2022-04-01' | ConvertFrom-Json -AsHashtable -Depth 20
        $readerRole = "/subscriptions/$sub/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
        Invoke-Arm DELETE $assignment '2022-04-01' | Out-Null
        Invoke-Arm PUT $assignment '2022-04-01' (@{ properties = @{ roleDefinitionId = $readerRole; principalId = $body.properties.principalId; principalType = 'ServicePrincipal' } } | ConvertTo-Json) | Out-Null
        try { Assert-Refused $folder 'Azure shows a different principal, role or scope*' }
        finally {
            Invoke-Arm DELETE $assignment '2022-04-01' | Out-Null
            Invoke-Arm PUT $assignment '2022-04-01' (@{ properties = @{ roleDefinitionId = $body.properties.roleDefinitionId; principalId = $body.properties.principalId; principalType = 'ServicePrincipal' } } | ConvertTo-Json) | Out-Null
        }
    }

    It 'refuses a folder other users can write to, and sends nothing' -Skip:$IsWindows {
        $folder = New-TamperedCopy 'shared-folder' { param($m, $copy) }
        & chmod 0777 $folder
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $folder -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'BackupFolderNotPrivate*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-SandboxRequestLog -Sandbox $sb) | Should -BeNullOrEmpty
    }

    It 'refuses a folder another restore holds (its lock file), and sends nothing' {
        $folder = New-TamperedCopy 'locked' { param($m, $copy) 'busy' | Set-Content (Join-Path $copy '.restore.lock') }
        Clear-SandboxRequestLog -Sandbox $sb
        Restore-LogicAppAuthBackup -Path $folder -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'BackupInUse*'
        $failed[0].Exception.Message | Should -BeLike '*.restore.lock*'
        @(Get-SandboxRequestLog -Sandbox $sb) | Should -BeNullOrEmpty
        Test-Path (Join-Path $folder '.restore.lock') | Should -BeTrue
    }

    It 'ignores a lying description and api-version: the prompt and the requests come from checked data, with full ids' {
        $folder = New-TamperedCopy 'lying-description' {
            param($m)
            $entry = Get-Entry $m 'RoleAssignment'
            $entry.description = 'Harmless cleanup of a temporary tag'
            $entry.apiVersion = '2015-07-01'
        }
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Restore-LogicAppAuthBackup -Path $folder -Confirm:$false -PassThru -WarningAction SilentlyContinue)
        $deleted = $results | Where-Object Operation -eq 'DeleteRoleAssignment'
        $deleted.Description | Should -Not -BeLike '*Harmless*'
        $deleted.Description | Should -BeLike "Delete role assignment $assignment (Storage Blob Data Contributor for principal * at $rg/providers/Microsoft.Storage/storageAccounts/*), which the fix created"
        ($results | Where-Object { $_.TargetResourceId -like '*/workflows/*' }).Description | Should -BeLike "Put workflow $workflows/wf-blob-export back*"
        $deletes = @(Get-SandboxRequestLog -Sandbox $sb | Where-Object method -eq 'DELETE')
        $deletes.Count | Should -Be 1
        $deletes[0].query | Should -BeLike '*api-version=2022-04-01'
        Test-Path (Join-Path $folder '.restore.lock') | Should -BeFalse
    }
}
