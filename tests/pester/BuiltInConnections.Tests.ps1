# Standard apps' built-in (service provider) connections: the contoso app la-contoso-builtin declares one of each kind
# in serviceProviderConnections (see src/LogicAppAuth.Sandbox/Scenarios/README.md).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $app = "/subscriptions/$prod/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-builtin"
    function BuiltIn([string] $Entry) { "$app/serviceProviderConnections/$Entry" }
    $sb = $sandbox
    $adminToken = New-SandboxToken -Sandbox $sandbox
    $readerObjectId = '5e6f7a8b-2222-4c2d-8e9f-0a1b2c3d4e02'
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    function Connect-As([string] $Principal) { $parameters = Get-SandboxConnectParameters $sandbox -Principal $Principal; Connect-LogicAppAuth @parameters | Out-Null }
    function Writes { @(Get-SandboxRequestLog -Sandbox $sandbox | Where-Object { $_.method -in 'PUT', 'PATCH', 'DELETE' -or ($_.method -eq 'POST' -and $_.path -notlike '*/list*' -and $_.path -notlike '*/oauth2/*') }) }
    $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $prod | Where-Object Kind -eq 'BuiltIn')
    # What a connection string, key or signature looks like: none of it may ever leave the module.
    $secretPatterns = 'SharedAccessKey=', 'AccountKey=', 'sig=', 'SharedAccessSignature='
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Get-LogicConnectorStatus lists built-in connections' {
    It '<Entry>: Kind BuiltIn, <Provider>, <Authentication>, used by <UsedBy>' -TestCases @(
        @{ Entry = 'serviceBus-key-current'; Provider = 'serviceBus'; Authentication = 'Key'; UsedBy = 'wf-builtin-orders' }
        @{ Entry = 'serviceBus-key-rotated'; Provider = 'serviceBus'; Authentication = 'Key'; UsedBy = 'wf-builtin-orders' }
        @{ Entry = 'serviceBus-mi-norole'; Provider = 'serviceBus'; Authentication = 'ManagedIdentity'; UsedBy = 'wf-builtin-orders' }
        @{ Entry = 'eventHub-mi-role'; Provider = 'eventHub'; Authentication = 'ManagedIdentity'; UsedBy = 'wf-builtin-orders' }
        @{ Entry = 'AzureBlob-mi-role'; Provider = 'AzureBlob'; Authentication = 'ManagedIdentity'; UsedBy = 'wf-builtin-archive' }
        @{ Entry = 'AzureBlob-sas-expired'; Provider = 'AzureBlob'; Authentication = 'SharedAccessSignature'; UsedBy = 'wf-builtin-archive' }
        @{ Entry = 'azureTables-sas-valid'; Provider = 'azureTables'; Authentication = 'SharedAccessSignature'; UsedBy = 'wf-builtin-archive' }
        @{ Entry = 'sql-setting-missing'; Provider = 'sql'; Authentication = 'Unknown'; UsedBy = 'wf-builtin-orders' }
    ) {
        param($Entry, $Provider, $Authentication, $UsedBy)
        $row = $rows | Where-Object ResourceId -eq (BuiltIn $Entry)
        $row | Should -Not -BeNullOrEmpty
        $row.Name | Should -Be "la-contoso-builtin/$Entry"
        $row.ResourceGroupName | Should -Be 'rg-standard'
        $row.ApiName | Should -Be $Provider
        "$($row.AuthenticationType)" | Should -Be $Authentication
        $row.UsedBy | Should -Be $UsedBy
        $row.UsedByCount | Should -Be 1
    }

    It 'lists the same built-in connections through Resource Graph (a subscription) as through ARM (a resource group)' {
        $viaGraph = @(Get-LogicConnectorStatus -SubscriptionId $prod -ApiName serviceBus, eventHub, AzureBlob, azureTables, sql | Where-Object Kind -eq 'BuiltIn')
        ($viaGraph.ResourceId | Sort-Object) | Should -Be ($rows.ResourceId | Sort-Object)
    }

    It 'takes its ResourceId back: Export-Csv, Import-Csv, Test-LogicConnectorAuth' {
        $csv = Join-Path $TestDrive 'builtin.csv'
        $rows | Export-Csv -Path $csv -NoTypeInformation
        $diagnoses = @(Import-Csv $csv | Test-LogicConnectorAuth)
        ($diagnoses.ResourceId | Sort-Object) | Should -Be ($rows.ResourceId | Sort-Object)
        (Get-LogicConnectorStatus -ResourceId (BuiltIn 'eventHub-mi-role')).Name | Should -Be 'la-contoso-builtin/eventHub-mi-role'
    }

    It 'reports a built-in connection that the app does not declare as ResourceNotFound (ObjectNotFound)' {
        Get-LogicConnectorStatus -ResourceId (BuiltIn 'no-such-entry') -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be (BuiltIn 'no-such-entry')
    }
}

Describe 'Test-LogicConnectorAuth on built-in connections' {
    BeforeAll {
        $plain = @(Test-LogicConnectorAuth -ResourceId ($rows.ResourceId))
        $withKeys = @(Test-LogicConnectorAuth -ResourceId ($rows.ResourceId) -CheckKeys)
        function Diagnosis($Set, [string] $Entry) { $Set | Where-Object ResourceId -eq (BuiltIn $Entry) }
    }

    It '<Entry> -> <Cause> (-CheckKeys: <Keyed>)' -TestCases @(
        @{ Entry = 'serviceBus-key-current'; Cause = 'None'; Keyed = 'None'; Evidence = 'not compared' }
        @{ Entry = 'serviceBus-key-rotated'; Cause = 'None'; Keyed = 'KeyRotated'; Evidence = 'not compared' }
        @{ Entry = 'serviceBus-mi-norole'; Cause = 'PermissionMissing'; Keyed = 'PermissionMissing'; Evidence = 'id-contoso-builtin.*no role granting.*sb-contoso-builtin' }
        @{ Entry = 'eventHub-mi-role'; Cause = 'None'; Keyed = 'None'; Evidence = 'holds Azure Event Hubs Data' }
        @{ Entry = 'AzureBlob-mi-role'; Cause = 'None'; Keyed = 'None'; Evidence = 'holds Storage Blob Data Contributor' }
        @{ Entry = 'AzureBlob-sas-expired'; Cause = 'SecretExpired'; Keyed = 'SecretExpired'; Evidence = 'shared access signature .* ended \d{4}-\d\d-\d\d' }
        @{ Entry = 'azureTables-sas-valid'; Cause = 'None'; Keyed = 'None'; Evidence = 'ends \d{4}-\d\d-\d\d' }
        @{ Entry = 'sql-setting-missing'; Cause = 'AppSettingMissing'; Keyed = 'AppSettingMissing'; Evidence = 'names app setting sql_connectionString, which the app does not have' }
    ) {
        param($Entry, $Cause, $Keyed, $Evidence)
        $diagnosis = Diagnosis $plain $Entry
        "$($diagnosis.Cause)" | Should -Be $Cause
        $diagnosis.Evidence | Should -Match $Evidence
        "$((Diagnosis $withKeys $Entry).Cause)" | Should -Be $Keyed
        if ($Cause -ne 'None') { $diagnosis.RemediationCommand | Should -Be "Set-LogicConnectorManagedIdentity -ResourceId '$(BuiltIn $Entry)'" }
    }

    It '-CheckKeys proves a current key current, by comparing it in memory' {
        (Diagnosis $withKeys 'serviceBus-key-current').Evidence | Should -Match 'is a current key of RootManageSharedAccessKey'
        (Diagnosis $withKeys 'serviceBus-key-rotated').Evidence | Should -Match 'matches neither current key of authorization rule .*/sb-contoso-builtin/authorizationRules/RootManageSharedAccessKey'
    }

    It '-CheckKeys without the listKeys action skips the check, says which action, and warns once' {
        # The reader gets Website Contributor on the app (its connections.json and settings), nothing on the namespace.
        $assignment = "$app/providers/Microsoft.Authorization/roleAssignments/$([guid]::NewGuid())"
        $body = @{ properties = @{ roleDefinitionId = "/subscriptions/$prod/providers/Microsoft.Authorization/roleDefinitions/de139f84-1756-47ae-9be6-808fbbe84772"
            principalId = $readerObjectId; principalType = 'ServicePrincipal' } } | ConvertTo-Json -Depth 5
        Invoke-Arm PUT $assignment '2022-04-01' $body | Out-Null
        Connect-As reader
        try {
            $diagnoses = @(Test-LogicConnectorAuth -ResourceId (BuiltIn 'serviceBus-key-rotated'), (BuiltIn 'serviceBus-key-current') -CheckKeys -WarningVariable warnings -WarningAction SilentlyContinue)
            $diagnoses | ForEach-Object { $_.SkippedChecks | Should -Match 'Microsoft\.ServiceBus/namespaces/authorizationRules/listKeys/action' }
            $diagnoses | ForEach-Object { "$($_.Cause)" | Should -Be 'Unknown' }
            @($warnings | Where-Object { $_ -match 'listKeys' }).Count | Should -Be 1
        }
        finally {
            Connect-LogicAppAuth @connect | Out-Null
            Invoke-Arm DELETE $assignment '2022-04-01' | Out-Null
        }
    }
}

Describe 'Get-ExpiringCredential lists the shared access signatures of built-in connections' {
    It 'lists the expired signature, linked to its app and connection, and the valid one within its window' {
        $expired = @(Get-ExpiringCredential -Kind SharedAccessSignature -ResourceGroupName rg-standard -SubscriptionId $prod)
        $expired.Count | Should -Be 1
        $expired[0].ResourceId | Should -Be (BuiltIn 'AzureBlob-sas-expired')
        $expired[0].Expired | Should -BeTrue
        $expired[0].UsedBy | Should -Be 'la-contoso-builtin/AzureBlob-sas-expired'
        $expired[0].Detail | Should -Match 'AzureBlobArchive_connectionString.*la-contoso-builtin'
        $all = @(Get-ExpiringCredential -Kind SharedAccessSignature -ResourceGroupName rg-standard -SubscriptionId $prod -WithinDays 365)
        ($all.Name | Sort-Object) | Should -Be @('la-contoso-builtin/AzureBlob-sas-expired', 'la-contoso-builtin/azureTables-sas-valid')
    }
}

Describe 'Set-LogicConnectorManagedIdentity moves a built-in connection to the app''s managed identity' {
    BeforeAll {
        $rotated = BuiltIn 'serviceBus-key-rotated'
        $before = Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app
        $folder = Join-Path $TestDrive 'builtin-fix'
    }

    It '-WhatIf sends no write and says what would change' {
        Clear-SandboxRequestLog -Sandbox $sandbox
        $printed = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath, $Parameters, $Id)
            Import-Module $ModulePath
            $Parameters.ClientSecret = ConvertTo-SecureString $Parameters.ClientSecret -AsPlainText -Force
            Connect-LogicAppAuth @Parameters | Out-Null
            Set-LogicConnectorManagedIdentity -ResourceId $Id -WhatIf
        } -ArgumentList $ModulePath, (Get-SandboxConnectParameters -Sandbox $sandbox | ForEach-Object { $_.ClientSecret = $sandbox.principals.admin.clientSecret; $_ }), $rotated
        Writes | Should -BeNullOrEmpty
        $text = $printed -join "`n"
        $text | Should -Match 'Grant Azure Service Bus Data Sender on .*/sb-contoso-builtin'
        $text | Should -Match "serviceProviderConnections\['serviceBus-key-rotated'\].*fullyQualifiedNamespace sb-contoso-builtin\.servicebus\.windows\.net"
    }

    It 'grants the narrowest data role, rewrites the entry to the managed-identity parameters, and names the unused app setting' {
        $results = @(Set-LogicConnectorManagedIdentity -ResourceId $rotated -Confirm:$false -PassThru -BackupPath $folder)
        ($results | Where-Object Operation -eq 'AssignRole').RoleName | Should -Be 'Azure Service Bus Data Sender'
        ($results | Where-Object Operation -eq 'AssignRole').Status | Should -Be 'Applied'
        $file = $results | Where-Object Operation -eq 'SetAppConnectionAuthentication'
        $file.Status | Should -Be 'Applied'
        $file.Description | Should -Match 'app setting serviceBusLegacy_connectionString is then unused and left in place'
        $entry = ((Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app).Text | ConvertFrom-Json).serviceProviderConnections.'serviceBus-key-rotated'
        $entry.parameterValues.fullyQualifiedNamespace | Should -Be 'sb-contoso-builtin.servicebus.windows.net'
        $entry.parameterValues.authProvider.Type | Should -Be 'ManagedServiceIdentity'
        $entry.parameterValues.PSObject.Properties.Name | Should -Not -Contain 'connectionString'
        $entry.serviceProvider.id | Should -Be '/serviceProviders/serviceBus'
        "$((Test-LogicConnectorAuth -ResourceId $rotated).Cause)" | Should -Be 'None'
    }

    It 'sends no write when run again' {
        Clear-SandboxRequestLog -Sandbox $sandbox
        $again = @(Set-LogicConnectorManagedIdentity -ResourceId $rotated -Confirm:$false -PassThru)
        Writes | Should -BeNullOrEmpty
        $again.Status | Sort-Object -Unique | Should -Be 'AlreadyInPlace'
    }

    It 'is undone by Restore-LogicAppAuthBackup: connections.json and the role as they were' {
        Restore-LogicAppAuthBackup -Path $folder -Confirm:$false
        (Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app).Text | Should -Be $before.Text
        "$((Test-LogicConnectorAuth -ResourceId $rotated -CheckKeys).Cause)" | Should -Be 'KeyRotated'
    }
}

Describe 'No connection string, key or signature leaves the module' {
    It 'shows none in any stream, error or file' {
        $folder = Join-Path $TestDrive 'canary'
        $streams = & {
            Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $prod -Verbose -Debug
            Test-LogicConnectorAuth -ResourceId ($rows.ResourceId) -CheckKeys -Verbose -Debug
            Get-ExpiringCredential -Kind SharedAccessSignature -ResourceGroupName rg-standard -SubscriptionId $prod -WithinDays 365 -Verbose
            Set-LogicConnectorManagedIdentity -ResourceId (BuiltIn 'AzureBlob-sas-expired') -WhatIf -Verbose -BackupPath $folder
            Get-LogicConnectorStatus -ResourceId (BuiltIn 'no-such-entry') -ErrorAction Continue
        } *>&1 | Out-String -Width 4096
        $csv = Join-Path $TestDrive 'canary.csv'
        $rows | Export-Csv -Path $csv -NoTypeInformation
        $files = @(Get-Content $csv -Raw) + @(if (Test-Path $folder) { Get-ChildItem $folder -Recurse -File | Get-Content -Raw })
        foreach ($pattern in $secretPatterns) {
            $streams | Should -Not -Match ([regex]::Escape($pattern))
            ($files -join "`n") | Should -Not -Match ([regex]::Escape($pattern))
        }
    }
}
