# Get-LogicConnectorStatus at tenant scale: scopes through Resource Graph, the ARM fallback, the dependency map for
# Consumption and Standard apps, pipeline shapes from Az cmdlets, and streaming.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $devtest = $Contoso.DevTestSubscriptionId
    $fabrikam = 'c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f'
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null

    function Snapshot($Rows) { $Rows | Sort-Object ResourceId | ConvertTo-Json -EnumsAsStrings }
    function Count-GraphQueries($Sandbox) { @(Get-SandboxRequestLog $Sandbox | Where-Object path -like '/providers/Microsoft.ResourceGraph/resources').Count }

    Clear-SandboxRequestLog $sandbox
    $prodRows = @(Get-LogicConnectorStatus -SubscriptionId $prod)
    $prodQueries = Count-GraphQueries $sandbox
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Scopes' {
    It 'lists a subscription through Resource Graph, Consumption and Standard connections alike' {
        $prodQueries | Should -BeGreaterOrEqual 2
        $prodRows.ResourceGroupName | Sort-Object -Unique | Should -Be @('rg-integration', 'rg-standard')
        ($prodRows | Where-Object Name -eq 'office365-expired').UsedBy | Should -Be 'wf-daily-report'
        ($prodRows | Where-Object Name -eq 'sql-v2-nopolicy').UsedBy | Should -Be 'la-contoso-std'
        ($prodRows | Where-Object Name -eq 'sql-v2-nopolicy').Kind | Should -Be 'V2'
    }

    It 'emits NotFound rows for connections referenced by Consumption workflows and by Standard apps' {
        $missing = $prodRows | Where-Object Status -eq 'NotFound'
        $missing.Name | Sort-Object | Should -Be @('office365-deleted', 'servicebus-v2-deleted')
        ($missing | Where-Object Name -eq 'servicebus-v2-deleted').UsedBy | Should -Be 'la-contoso-std'
        $missing | ForEach-Object { $_.Exists | Should -BeFalse }
    }

    It 'gives the same rows through ARM lists with -NoResourceGraph, without asking Resource Graph' {
        Clear-SandboxRequestLog $sandbox
        $armRows = @(Get-LogicConnectorStatus -SubscriptionId $prod -NoResourceGraph -WarningVariable warnings)
        Count-GraphQueries $sandbox | Should -Be 0
        $warnings | Should -BeNullOrEmpty
        Snapshot $armRows | Should -Be (Snapshot $prodRows)
    }

    # The admin sees two subscriptions; Dev/Test holds no connection, so both scopes give the Prod rows.
    It 'lists every visible subscription when no scope is given' {
        $all = @(Get-LogicConnectorStatus -ErrorVariable failures)
        $failures | Should -BeNullOrEmpty
        Snapshot $all | Should -Be (Snapshot $prodRows)
    }

    It 'lists the subscriptions under a management group' {
        $mg = @(Get-LogicConnectorStatus -ManagementGroupId mg-contoso -ErrorVariable failures)
        $failures | Should -BeNullOrEmpty
        Snapshot $mg | Should -Be (Snapshot $prodRows)
    }

    It 'reports a subscription the caller cannot read as PermissionDenied and lists the others' {
        $rows = @(Get-LogicConnectorStatus -SubscriptionId $prod, $fabrikam -ErrorVariable failures -ErrorAction SilentlyContinue)
        Snapshot $rows | Should -Be (Snapshot $prodRows)
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SubscriptionNotAccessible,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].TargetObject | Should -Be "/subscriptions/$fabrikam"
    }

    It 'filters by -Name and -ApiName across a subscription; a pattern that matches nothing gives no output and no error' {
        $rows = @(Get-LogicConnectorStatus -SubscriptionId $prod -ApiName 'sql' -Name '*nopolicy*')
        $rows.Name | Should -Be 'sql-v2-nopolicy'
        @(Get-LogicConnectorStatus -SubscriptionId $prod -Name 'zzz*' -ErrorVariable failures).Count | Should -Be 0
        $failures | Should -BeNullOrEmpty
    }
}

Describe 'Resource Graph refused, paged, and streamed' {
    It 'falls back to ARM lists with one warning when Resource Graph answers 403' {
        $refusing = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments '--resource-graph-disabled' -Now $sandbox.timeAnchor
        try {
            $parameters = Get-SandboxConnectParameters $refusing -As AccessToken
            Connect-LogicAppAuth @parameters | Out-Null
            $rows = @(Get-LogicConnectorStatus -SubscriptionId $prod, $devtest -WarningVariable warnings -WarningAction SilentlyContinue)
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'Resource Graph'
            Snapshot ($rows | Where-Object SubscriptionId -eq $prod) | Should -Be (Snapshot $prodRows)
        }
        finally {
            $refusing | Stop-LogicAppAuthSandbox
            Connect-LogicAppAuth @connect | Out-Null
        }
    }

    It 'pages Resource Graph one row at a time and gives the same rows' {
        $paged = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments '--page-size', '1', '--resource-graph-quota', '1000' -Now $sandbox.timeAnchor
        try {
            $parameters = Get-SandboxConnectParameters $paged -As AccessToken
            Connect-LogicAppAuth @parameters | Out-Null
            Clear-SandboxRequestLog $paged
            $rows = @(Get-LogicConnectorStatus -SubscriptionId $prod)
            # One Resource Graph page per connection row (built-in connections come from the apps' connections.json, not from a page).
            Count-GraphQueries $paged | Should -BeGreaterThan (@($prodRows | Where-Object Kind -ne 'BuiltIn').Count + 10)
            Snapshot $rows | Should -Be (Snapshot $prodRows)
        }
        finally {
            $paged | Stop-LogicAppAuthSandbox
            Connect-LogicAppAuth @connect | Out-Null
        }
    }

    It 'streams: the first row arrives before the last page of connections is read' {
        $large = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario '' -ExtraArguments '--generate', 'subscriptions=1,connections=400,workflows=5,standardApps=0', '--page-size', '10', '--latency-ms', '20', '--resource-graph-quota', '1000'
        try {
            $parameters = Get-SandboxConnectParameters $large -As AccessToken
            Connect-LogicAppAuth @parameters | Out-Null
            Clear-SandboxRequestLog $large
            $script:queriesAtFirstRow = $null
            $count = 0
            Get-LogicConnectorStatus | ForEach-Object {
                if ($null -eq $script:queriesAtFirstRow) { $script:queriesAtFirstRow = Count-GraphQueries $large }
                $count++
            }
            $count | Should -BeGreaterOrEqual 400
            $total = Count-GraphQueries $large
            $total | Should -BeGreaterOrEqual 40
            $script:queriesAtFirstRow | Should -BeLessThan ($total / 2)
        }
        finally {
            $large | Stop-LogicAppAuthSandbox
            Connect-LogicAppAuth @connect | Out-Null
        }
    }

    It 'reports progress per page with row counts' {
        # A runspace of its own: progress of a nested pipeline in the current runspace goes to the host, not to Streams.
        $ps = [powershell]::Create()
        try {
            $script = {
                param($ModulePath, $Sandbox, $Subscription)
                Import-Module $ModulePath
                Connect-LogicAppAuth -AccessToken $Sandbox.accessToken -ResourceManagerUrl $Sandbox.resourceManagerUrl -TrustedCertificatePath $Sandbox.certificatePath | Out-Null
                Get-LogicConnectorStatus -SubscriptionId $Subscription
            }
            $rows = $ps.AddScript($script).AddArgument($ModulePath).AddArgument($sandbox).AddArgument($prod).Invoke()
            $rows.Count | Should -Be $prodRows.Count
            $progress = @($ps.Streams.Progress)
            $listed = @($prodRows | Where-Object { $_.Kind -ne 'BuiltIn' -and $_.Exists }).Count
            ($progress | Where-Object Activity -like '*API connections*').StatusDescription | Should -Contain "$listed of $listed rows"
            $progress | Where-Object RecordType -eq 'Completed' | Should -Not -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
    }

    It 'says in verbose output which API it used and how many rows it read' {
        $verbose = Get-LogicConnectorStatus -SubscriptionId $prod -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'Resource Graph: \d+ rows in \d+ pages'
    }
}

Describe 'Pipeline shapes from Az cmdlets' {
    It 'takes Get-AzSubscription objects (Id and SubscriptionId are the GUID) and reads them together' {
        Clear-SandboxRequestLog $sandbox
        $subscriptions = @(
            [pscustomobject]@{ Id = $prod; SubscriptionId = $prod; Name = 'Contoso Integration (Prod)'; TenantId = $sandbox.tenantId; State = 'Enabled' }
            [pscustomobject]@{ Id = $devtest; SubscriptionId = $devtest; Name = 'Contoso Dev/Test'; TenantId = $sandbox.tenantId; State = 'Enabled' }
        )
        $rows = @($subscriptions | Get-LogicConnectorStatus)
        Snapshot $rows | Should -Be (Snapshot $prodRows)
        Count-GraphQueries $sandbox | Should -Be $prodQueries
    }

    It 'takes Get-AzLogicApp objects and lists the connections that workflow uses' {
        $workflow = [pscustomobject]@{
            Id = "/subscriptions/$prod/resourceGroups/rg-integration/providers/Microsoft.Logic/workflows/wf-payroll"
            Name = 'wf-payroll'; Location = 'westeurope'; State = 'Enabled'; Version = '08585'
        }
        $rows = @($workflow | Get-LogicConnectorStatus)
        $rows.Name | Should -Be 'office365-disabled-expired'
        $rows.UsedBy | Should -Be 'wf-payroll'
    }

    It 'takes a Get-AzResource object of a Standard logic app and lists its connections, missing ones included' {
        $site = [pscustomobject]@{
            ResourceId = "/subscriptions/$prod/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std"
            Name = 'la-contoso-std'; ResourceType = 'Microsoft.Web/sites'; ResourceGroupName = 'rg-standard'; Kind = 'functionapp,workflowapp'
        }
        $rows = @($site | Get-LogicConnectorStatus)
        $rows.Name | Sort-Object | Should -Be @('office365-v2', 'servicebus-v2-deleted', 'sql-v2-nopolicy')
        ($rows | Where-Object Name -eq 'servicebus-v2-deleted').Status | Should -Be 'NotFound'
    }

    It 'writes flat rows: Export-Csv has no System.* value and ConvertTo-Json is plain' {
        $csv = Join-Path $TestDrive 'tenant.csv'
        $prodRows | Export-Csv $csv -NoTypeInformation
        Get-Content $csv -Raw | Should -Not -Match 'System\.'
        (Import-Csv $csv).Count | Should -Be $prodRows.Count
        $json = $prodRows[0] | ConvertTo-Json -EnumsAsStrings
        $json | Should -Match '"Status": "'
        ($json | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $_.Value | Should -Not -BeOfType ([System.Management.Automation.PSCustomObject]) }
    }
}

Describe 'Resource Graph limits: subscriptions per request and management groups beyond the service limit' {
    BeforeAll {
        function Get-StatusOnTenant($Target, [hashtable] $Scope = @{}) {
            <# Rows and warnings of Get-LogicConnectorStatus against another sandbox. #>
            $parameters = Get-SandboxConnectParameters $Target -As AccessToken
            Connect-LogicAppAuth @parameters | Out-Null
            try {
                $rows = @(Get-LogicConnectorStatus @Scope -WarningVariable warnings -WarningAction SilentlyContinue)
                [pscustomobject]@{ Rows = $rows; Warnings = @($warnings | ForEach-Object { "$_" }) }
            }
            finally { Connect-LogicAppAuth @connect | Out-Null }
        }
        $tenantArguments = '--generate', 'subscriptions=1200,connections=1200,workflows=24,standardApps=0', '--resource-graph-quota', '1000'
    }

    It 'lists every connection of a 1,200-subscription tenant in batches of at most 1,000, with no request refused' {
        $tenant = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario '' -ExtraArguments $tenantArguments
        try {
            $result = Get-StatusOnTenant $tenant
            @($result.Rows | Where-Object Exists).Count | Should -Be 1200
            @($result.Rows.SubscriptionId | Sort-Object -Unique).Count | Should -BeGreaterThan 1000
            $result.Warnings | Should -BeNullOrEmpty
            $queries = @(Get-SandboxRequestLog $tenant | Where-Object path -like '/providers/Microsoft.ResourceGraph/resources')
            @($queries | Where-Object status -ne 200) | Should -BeNullOrEmpty
            $queries.Count | Should -BeGreaterOrEqual 4   # connections and referencing resources, two batches each
        }
        finally { $tenant | Stop-LogicAppAuthSandbox }
    }

    It 'halves a batch the service refuses with 400 and still lists every connection' {
        $tenant = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario '' -ExtraArguments ($tenantArguments + @('--resource-graph-max-subscriptions', '700'))
        try {
            $result = Get-StatusOnTenant $tenant
            @($result.Rows | Where-Object Exists).Count | Should -Be 1200
            $result.Warnings | Should -BeNullOrEmpty
            @(Get-SandboxRequestLog $tenant | Where-Object { $_.path -like '/providers/Microsoft.ResourceGraph/resources' -and $_.status -eq 400 }).Count | Should -BeGreaterThan 0
        }
        finally { $tenant | Stop-LogicAppAuthSandbox }
    }

    It 'warns when a management group holds more subscriptions than Resource Graph searches in one query' {
        $limited = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments '--resource-graph-tenant-subscription-limit', '1' -Now $sandbox.timeAnchor
        try {
            $result = Get-StatusOnTenant $limited @{ ManagementGroupId = 'mg-contoso' }
            $result.Warnings.Count | Should -Be 1
            $result.Warnings[0] | Should -Match 'only part of the subscriptions under management group\(s\) mg-contoso.*-SubscriptionId'
            @($result.Rows.SubscriptionId | Sort-Object -Unique).Count | Should -Be 1
        }
        finally { $limited | Stop-LogicAppAuthSandbox }
    }
}
