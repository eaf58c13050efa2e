# A fix refused half-way (the caller may change workflows and connections but not grant roles) leaves its backups and
# an error that lists what changed; running it again with the right to grant roles completes it. Own sandbox: it changes state.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = $Contoso.SubscriptionId
    $connection = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.Web/connections/azureblob-sp-cert-expired"
    $workflow = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.Logic/workflows/wf-blob-export"

    function Connect-As([string] $Principal) {
        $parameters = Get-SandboxConnectParameters -Sandbox $sb -Principal $Principal
        Connect-LogicAppAuth @parameters | Out-Null
    }
    function Get-Writes { @(Get-SandboxRequestLog -Sandbox $sb | Where-Object { $_.method -in 'PUT', 'PATCH', 'DELETE' -and $_.status -lt 400 } | ForEach-Object { "$($_.method) $($_.path)" }) }

    # norole gets Contributor on the subscription: it may write workflows and connections, but not role assignments.
    $contributor = '/subscriptions/{0}/providers/Microsoft.Authorization/roleAssignments/{1}' -f $sub, [guid]::NewGuid()
    $adminToken = New-SandboxToken -Sandbox $sb -Principal admin
    $body = @{ properties = @{ roleDefinitionId = "/subscriptions/$sub/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
            principalId = $sb.principals.norole.objectId; principalType = 'ServicePrincipal' } } | ConvertTo-Json -Depth 5
    & curl --silent --show-error --fail --cacert $sb.certificatePath -X PUT -H "Authorization: Bearer $adminToken" -H 'Content-Type: application/json' `
        --data-binary $body "$($sb.endpoint)$($contributor)?api-version=2022-04-01" | Out-Null
}

AfterAll {
    Disconnect-LogicAppAuth
    $sb | Stop-LogicAppAuthSandbox
}

Describe 'A fix interrupted half-way, then run again' {
    It 'stops at the refused step, keeps the backups, and lists what changed' {
        Connect-As norole
        Clear-SandboxRequestLog -Sandbox $sb
        $script:firstBackup = Join-Path $TestDrive 'first'
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath $script:firstBackup -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failed[0].Exception.Message | Should -BeLike '*Changes already made before it: (1) Enable the system-assigned managed identity of workflow wf-blob-export*'
        $failed[0].Exception.Message | Should -BeLike "*Restore-LogicAppAuthBackup -Path '$($script:firstBackup)'*"
        Get-Writes | Should -Be @("PATCH $workflow")
        Test-Path (Join-Path $script:firstBackup 'manifest.json') | Should -BeTrue
        (Get-Content (Join-Path $script:firstBackup 'manifest.json') -Raw) | Should -Match 'wf-blob-export'
    }

    It 'completes the remaining steps when run again, without repeating the one already done' {
        Connect-As admin
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'second') -PassThru -ErrorVariable failed)
        $failed | Should -BeNullOrEmpty
        $writes = Get-Writes
        $writes | Should -Not -Contain "PATCH $workflow"
        @($writes | Where-Object { $_ -like 'PUT */roleAssignments/*' }).Count | Should -Be 1
        $writes | Should -Contain "PUT $connection"
        $writes | Should -Contain "PUT $workflow"
        ($results | Where-Object Status -eq 'AlreadyInPlace').Description | Should -BeLike '*identity*'
    }

    It 'leaves the connection healthy, and a third run sends no write' {
        (Test-LogicConnectorAuth -ResourceId $connection).Cause | Should -Be 'None'
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'third')
        Get-Writes | Should -BeNullOrEmpty
    }
}
