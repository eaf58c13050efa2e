# A fix meets someone else's save between its plan and its write: the sandbox's concurrent writer saves the resource right
# after a chosen read of it. The fix refuses, writes nothing to that resource, and a second run completes. Own sandbox.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = $Contoso.SubscriptionId
    $parameters = Get-SandboxConnectParameters -Sandbox $sb -Principal admin
    Connect-LogicAppAuth @parameters | Out-Null
    function Get-Writes { @(Get-SandboxRequestLog -Sandbox $sb | Where-Object { $_.method -in 'PUT', 'PATCH', 'DELETE' } | ForEach-Object { "$($_.method) $($_.path) $($_.status)" }) }
}

AfterAll {
    Disconnect-LogicAppAuth
    $sb | Stop-LogicAppAuthSandbox
}

Describe 'A Consumption workflow saved by someone else while a fix runs' {
    BeforeAll {
        $connection = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.Web/connections/keyvault-sp-secret-expired"
        $workflow = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.Logic/workflows/wf-secret-rotation"
    }

    It 'is not overwritten: the fix refuses with ConcurrentChange and sends no write at all' {
        Set-SandboxConcurrentWriter -Sandbox $sb -Path $workflow -AfterReads 1
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'refused') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConcurrentChange*'
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $failed[0].TargetObject | Should -Be $workflow
        $failed[0].Exception.Message | Should -BeLike '*changed after it was read for this fix (changedTime *)*run the command again*'
        $failed[0].Exception.Message | Should -BeLike '*No earlier change had been made for this connection, so nothing is half-done*'
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'completes when run again, keeping the other writer''s change' {
        Clear-SandboxRequestLog -Sandbox $sb
        $results = @(Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'again') -PassThru)
        $results.Status | Select-Object -Unique | Should -Be 'Applied'
        (Get-Writes).Count | Should -Be 4
        (Test-LogicConnectorAuth -ResourceId $connection).Cause | Should -Be 'None'
        $token = New-SandboxToken -Sandbox $sb
        $saved = (& curl --silent --cacert $sb.certificatePath -H "Authorization: Bearer $token" "$($sb.endpoint)$($workflow)?api-version=2019-05-01") | ConvertFrom-Json
        $saved.tags.savedBy | Should -Be 'someone-else'
    }
}

Describe 'A Standard app''s connections.json saved by someone else while a fix runs' {
    BeforeAll {
        $connection = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql-v2-nopolicy"
        $site = "/subscriptions/$sub/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std"
        $file = "$site/hostruntime/admin/vfs/connections.json"
        $content = (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | ConvertFrom-Json -AsHashtable -Depth 100
        $content.managedApiConnections.sql.authentication = [ordered]@{ type = 'Raw'; scheme = 'Key'; parameter = "@appsetting('sql-connectionKey')" }
        $keyText = $content | ConvertTo-Json -Depth 100
        Set-SandboxSiteFile -Sandbox $sb -SiteId $site -Text $keyText
    }

    It 'is not overwritten when it changed after the plan read it; the error lists the access policy already added' {
        Set-SandboxConcurrentWriter -Sandbox $sb -Path $file -AfterReads 1
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'std-refused') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConcurrentChange*'
        $failed[0].TargetObject | Should -Be $file
        $failed[0].Exception.Message | Should -BeLike '*(content sha256:* is now sha256:*)*'
        $failed[0].Exception.Message | Should -BeLike '*Changes already made before it: (1) Add an access policy for the system-assigned identity of Standard app la-contoso-std*'
        Get-Writes | Should -Be @("PUT $connection/accessPolicies/df5cf40e-7a78-4287-ae7e-52729e1a2ba3 201")
        (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | Should -BeExactly "$keyText`n"
    }

    It 'is refused by the service (412 on If-Match) when it changes between the fix''s own read and its write' {
        # Read 1 is the plan's, read 2 the write's: the other save lands after the second, so only the ETag can catch it.
        Set-SandboxConcurrentWriter -Sandbox $sb -Path $file -AfterReads 2
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'std-412') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConcurrentChange*'
        $failed[0].Exception.Message | Should -BeLike '*its ETag changed between the read and the write*'
        Get-Writes | Should -Be @("PUT $file 412")
        (Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | Should -BeExactly "$keyText`n`n"

        # The refused run saved the file before its PUT, but never changed it: even a forced restore leaves the other save alone.
        Clear-SandboxRequestLog -Sandbox $sb
        $restored = @(Restore-LogicAppAuthBackup -Path (Join-Path $TestDrive 'std-412') -Force -Confirm:$false -PassThru)
        Get-Writes | Should -BeNullOrEmpty
        $restored.Description | Should -BeLike '*backed up, but the fix never changed it*'
    }

    It 'completes when run again' {
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'std-again')
        Get-Writes | Should -Be @("PUT $file 204")
        ((Get-SandboxSiteFile -Sandbox $sb -SiteId $site).Text | ConvertFrom-Json).managedApiConnections.sql.authentication.type | Should -Be 'ManagedServiceIdentity'
    }
}

Describe 'A connection saved by someone else between the fix''s last read and its write' {
    It 'is not overwritten: the PUT carries the ETag read, the service refuses it (412), and the fix stops with ConcurrentChange' {
        $connection = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.Web/connections/azureblob-sp-cert-expired"
        # The first read plans the fix; the second is the read just before the PUT, after which the other writer saves.
        Set-SandboxConcurrentWriter -Sandbox $sb -Path $connection -AfterReads 2
        Clear-SandboxRequestLog -Sandbox $sb
        Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId $connection -BackupPath (Join-Path $TestDrive 'etag') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConcurrentChange*'
        $failed[0].TargetObject | Should -Be $connection
        $failed[0].Exception.Message | Should -BeLike '*its ETag changed between the read and the write*'
        Get-Writes | Where-Object { $_ -like "PUT $connection *" } | Should -Be @("PUT $connection 412")
        $token = New-SandboxToken -Sandbox $sb
        $saved = (& curl --silent --cacert $sb.certificatePath -H "Authorization: Bearer $token" "$($sb.endpoint)$($connection)?api-version=2016-06-01") | ConvertFrom-Json
        $saved.tags.savedBy | Should -Be 'someone-else'
        $saved.properties.parameterValueSet | Should -BeNullOrEmpty
    }
}
