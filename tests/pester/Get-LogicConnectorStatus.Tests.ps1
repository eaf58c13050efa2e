BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $groupId = "/subscriptions/$prod/resourceGroups/rg-integration"
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod)
    function Row([string] $Name) { $rows | Where-Object Name -eq $Name }
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Get-LogicConnectorStatus for a resource group' {
    It 'emits one flat ConnectorStatus per connection, and one NotFound row per missing referenced connection' {
        $rows | ForEach-Object { $_ | Should -BeOfType ([LogicAppAuth.ConnectorStatus]) }
        $rows.Name | Should -Contain 'office365-healthy'
        $rows.Name | Should -Contain 'office365-unused'
        ($rows.Name | Sort-Object -Unique).Count | Should -Be $rows.Count
        foreach ($property in ($rows[0].PSObject.Properties)) {
            $property.TypeNameOfValue | Should -Match '^System\.(String|Int32|Boolean|Nullable.*DateTimeOffset.*)$|^LogicAppAuth\.'
        }
    }

    It 'reads the status, error and tenant of a <Name> connection' -TestCases @(
        @{ Name = 'office365-healthy'; Status = 'Connected'; ErrorCode = ''; Auth = 'OAuth'; Message = '' }
        @{ Name = 'office365-expired'; Status = 'Error'; ErrorCode = 'Unauthorized'; Auth = 'OAuth'; Message = 'AADSTS700082' }
        @{ Name = 'sharepoint-revoked'; Status = 'Error'; ErrorCode = 'Unauthorized'; Auth = 'OAuth'; Message = 'AADSTS50173' }
        @{ Name = 'teams-unauthenticated'; Status = 'Error'; ErrorCode = 'Unauthenticated'; Auth = 'OAuth'; Message = 'not authenticated' }
        @{ Name = 'azureblob-mi'; Status = '*'; ErrorCode = '*'; Auth = 'ManagedIdentity'; Message = '*' }
        @{ Name = 'keyvault-sp-secret-expired'; Status = '*'; ErrorCode = '*'; Auth = 'ServicePrincipal'; Message = '*' }
    ) {
        param($Name, $Status, $ErrorCode, $Auth, $Message)
        $row = Row $Name
        $row.Status | Should -BeLike $Status
        $row.ErrorCode | Should -BeLike $ErrorCode
        $row.AuthenticationType | Should -Be $Auth
        if ($Message -ne '*') { $row.ErrorMessage | Should -Match $Message }
        $row.ResourceId | Should -Be "$groupId/providers/Microsoft.Web/connections/$Name"
        $row.SubscriptionId | Should -Be $prod
        $row.ResourceGroupName | Should -Be 'rg-integration'
        $row.Exists | Should -BeTrue
    }

    It 'reads the signed-in user and the token tenant' {
        (Row 'office365-healthy').AuthenticatedUser | Should -Match '@'
        (Row 'office365-wrong-tenant').TenantId | Should -Not -Be (Row 'office365-healthy').TenantId
        (Row 'office365-healthy').TenantId | Should -Be $sandbox.tenantId
        (Row 'office365-healthy').ApiName | Should -Be 'office365'
        (Row 'office365-healthy').Kind | Should -Be 'V1'
        (Row 'office365-healthy').CreatedTime | Should -BeOfType ([DateTimeOffset])
    }

    It 'maps which workflows use each connection' {
        (Row 'office365-healthy').UsedBy | Should -Be 'wf-invoice-approval'
        (Row 'office365-healthy').UsedByCount | Should -Be 1
        (Row 'office365-unused').UsedByCount | Should -Be 0
        (Row 'office365-unused').UsedBy | Should -Be ''
    }

    It 'reports a connection that a workflow references but that does not exist' {
        $missing = Row 'office365-deleted'
        $missing.Status | Should -Be 'NotFound'
        $missing.Exists | Should -BeFalse
        $missing.UsedBy | Should -Be 'wf-legacy-sync'
        $missing.ApiName | Should -Be 'office365'
    }

    It 'finds the resource group without -SubscriptionId by looking in the visible subscriptions' {
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration).Count | Should -Be $rows.Count
    }

    It 'filters with -Name and -ApiName wildcards' {
        $filtered = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -Name 'office365-*' -ApiName office365)
        $filtered.Count | Should -BeGreaterThan 3
        $filtered | ForEach-Object { $_.Name | Should -BeLike 'office365-*' }
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -Name 'nothing-matches-*').Count | Should -Be 0
    }

    It 'has a default table view' {
        $table = $rows | Out-String -Width 200
        $table | Should -Match 'ApiName'
        $table | Should -Match 'AuthenticationType'
        $table | Should -Not -Match 'ResourceId'
    }
}

Describe 'Get-LogicConnectorStatus pipeline input' {
    It 'takes Get-AzResourceGroup-shaped objects by property name' {
        $group = [pscustomobject]@{ ResourceGroupName = 'rg-integration'; Location = 'westeurope'; ProvisioningState = 'Succeeded'; ResourceId = $groupId }
        @($group | Get-LogicConnectorStatus).Count | Should -Be $rows.Count
    }

    It 'takes Get-AzResource-shaped objects (ResourceId, Id, Name, ResourceGroupName) as the resource they name' {
        $resource = [pscustomobject]@{
            Name = 'office365-expired'; ResourceName = 'office365-expired'; ResourceGroupName = 'rg-integration'; ResourceType = 'Microsoft.Web/connections'
            ResourceId = "$groupId/providers/Microsoft.Web/connections/office365-expired"; Id = "$groupId/providers/Microsoft.Web/connections/office365-expired"
            SubscriptionId = $prod
        }
        $result = @($resource | Get-LogicConnectorStatus)
        $result.Count | Should -Be 1
        $result[0].Name | Should -Be 'office365-expired'
        $result[0].UsedBy | Should -Be 'wf-daily-report'
    }

    It 'takes a workflow id and lists the connections it uses, missing ones included' {
        $result = @("$groupId/providers/Microsoft.Logic/workflows/wf-legacy-sync", "$groupId/providers/Microsoft.Logic/workflows/wf-invoice-approval" | Get-LogicConnectorStatus)
        $result.Name | Sort-Object | Should -Be @('office365-deleted', 'office365-healthy', 'sharepoint-revoked')
        ($result | Where-Object Name -eq 'office365-deleted').Status | Should -Be 'NotFound'
    }

    It 'reports a missing resource group as ObjectNotFound and goes on with the next input' {
        $inputs = @(
            [pscustomobject]@{ ResourceGroupName = 'rg-does-not-exist'; SubscriptionId = $prod }
            [pscustomobject]@{ ResourceGroupName = 'rg-integration'; SubscriptionId = $prod }
        )
        $result = @($inputs | Get-LogicConnectorStatus -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be $rows.Count
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ResourceGroupNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Match 'rg-does-not-exist'
        $failures[0].Exception.Message | Should -Match 'rg-does-not-exist'
    }

    It 'reports a malformed resource id as InvalidArgument and goes on' {
        $result = @('not-a-resource-id', "$groupId/providers/Microsoft.Web/connections/office365-healthy" | Get-LogicConnectorStatus -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResourceId,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].TargetObject | Should -Be 'not-a-resource-id'
    }

    It 'round-trips through Export-Csv and Import-Csv without System.* values' {
        $csv = Join-Path $TestDrive 'status.csv'
        $rows | Export-Csv -Path $csv -NoTypeInformation
        Get-Content $csv -Raw | Should -Not -Match 'System\.'
        $imported = Import-Csv $csv
        $again = @($imported | Select-Object -First 3 | Get-LogicConnectorStatus)
        $again.Name | Should -Be @($imported | Select-Object -First 3).Name
    }
}

Describe 'Get-LogicConnectorStatus paging' {
    It 'follows nextLink when the service returns one item per page' {
        $paged = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario contoso -ExtraArguments '--page-size', '1' -Now $sandbox.timeAnchor
        try {
            $pagedConnect = Get-SandboxConnectParameters $paged -As AccessToken
            Connect-LogicAppAuth @pagedConnect | Out-Null
            $pagedRows = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod)
            ($pagedRows | Sort-Object Name | ConvertTo-Json) | Should -Be ($rows | Sort-Object Name | ConvertTo-Json)
            $lists = Get-SandboxRequestLog $paged | Where-Object { $_.path -like '*/providers/Microsoft.Web/connections' }
            @($lists).Count | Should -BeGreaterThan 10
        }
        finally {
            $paged | Stop-LogicAppAuthSandbox
            Connect-LogicAppAuth @connect | Out-Null
        }
    }
}
