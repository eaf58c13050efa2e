# Bad input, each with its exact error id, category and target, and a message that says what to do; and callers
# without the roles a call needs. Reads run against the shared contoso sandbox; Set-LogicConnectorManagedIdentity
# only with -WhatIf, or as callers whose writes the sandbox refuses.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $prod = $Contoso.SubscriptionId
    $group = "/subscriptions/$prod/resourceGroups/rg-integration"
    $cmdlets = 'Get-LogicConnectorStatus', 'Test-LogicConnectorAuth', 'Set-LogicConnectorManagedIdentity'

    # One row per cmdlet and bad resource id: the id piped in and given as -ResourceId both fail the same way.
    $idCases = foreach ($cmdlet in $cmdlets) {
        $typeId = if ($cmdlet -like 'Set-*') { 'NotAConnection' } else { 'UnsupportedResourceType' }
        @{ Cmdlet = $cmdlet; Case = 'a malformed id'; Id = 'not-a-resource-id'; ErrorId = 'InvalidResourceId'; Category = 'InvalidArgument'; Advice = 'Expected a form like /subscriptions/<guid>/resourceGroups/' }
        @{ Cmdlet = $cmdlet; Case = 'a truncated id'; Id = '/subscriptions/xyz/resourceGroups'; ErrorId = 'InvalidResourceId'; Category = 'InvalidArgument'; Advice = 'Expected a form like' }
        @{ Cmdlet = $cmdlet; Case = 'a storage account id'; Id = "$group/providers/Microsoft.Storage/storageAccounts/stcontoso"; ErrorId = $typeId; Category = 'InvalidArgument'; Advice = 'Microsoft\.Web/connections' }
        @{ Cmdlet = $cmdlet; Case = 'an id in a nonexistent resource group'; Id = "/subscriptions/$prod/resourceGroups/rg-nope/providers/Microsoft.Web/connections/c1"; ErrorId = 'ResourceGroupNotFound'; Category = 'ObjectNotFound'; Advice = 'Check the name, resource group and subscription' }
        @{ Cmdlet = $cmdlet; Case = 'an id in a nonexistent subscription'; Id = '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-x/providers/Microsoft.Web/connections/c1'; ErrorId = 'SubscriptionNotFound'; Category = 'ObjectNotFound'; Advice = 'Check the name, resource group and subscription' }
    }
    $blankCases = foreach ($cmdlet in $cmdlets) {
        foreach ($value in @(''; '   ')) {
            $pipedId = if ($cmdlet -like 'Set-*') { 'NoConnectionInInput' } else { 'InvalidResourceId' }
            $boundId = if ($cmdlet -like 'Set-*') { 'NoConnectionInInput' } else { 'NoScopeInInput' }
            @{ Cmdlet = $cmdlet; Value = $value; Shown = "'$value'"; PipedId = $pipedId; BoundId = $boundId }
        }
    }
    $scopeCases = @(
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Case = 'a nonexistent subscription'; Splat = @{ SubscriptionId = '00000000-0000-0000-0000-0000000000aa' }; ErrorId = 'SubscriptionNotAccessible'; Category = 'PermissionDenied'; Target = '/subscriptions/00000000-0000-0000-0000-0000000000aa'; Advice = 'Ask for Reader on it' }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Case = 'a nonexistent subscription'; Splat = @{ SubscriptionId = '00000000-0000-0000-0000-0000000000aa' }; ErrorId = 'SubscriptionNotAccessible'; Category = 'PermissionDenied'; Target = '/subscriptions/00000000-0000-0000-0000-0000000000aa'; Advice = 'Ask for Reader on it' }
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Case = 'a nonexistent resource group'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-nope' }; ErrorId = 'ResourceGroupNotFound'; Category = 'ObjectNotFound'; Target = "/subscriptions/$prod/resourceGroups/rg-nope"; Advice = 'Check the name' }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Case = 'a nonexistent resource group'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-nope' }; ErrorId = 'ResourceGroupNotFound'; Category = 'ObjectNotFound'; Target = "/subscriptions/$prod/resourceGroups/rg-nope"; Advice = 'Check the name' }
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Case = 'a nonexistent resource group in no named subscription'; Splat = @{ ResourceGroupName = 'rg-nope' }; ErrorId = 'ResourceGroupNotFound'; Category = 'ObjectNotFound'; Target = 'rg-nope'; Advice = 'name the subscription with -SubscriptionId' }
    )
    $wildcardCases = @(
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-integration'; Name = 'nothing-matches-*' } }
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Splat = @{ SubscriptionId = $prod; ApiName = 'no-such-api*' } }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-integration'; Name = 'nothing-matches-*' } }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Splat = @{ SubscriptionId = $prod; Name = 'zz?-none*' } }
    )
    $csvCases = @(
        @{ Cmdlet = 'Get-LogicConnectorStatus'; ErrorId = 'NoScopeInInput'; Advice = 'Pipe connections' }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; ErrorId = 'NoScopeInInput'; Advice = 'Pipe connections' }
        @{ Cmdlet = 'Set-LogicConnectorManagedIdentity'; ErrorId = 'NoConnectionInInput'; Advice = 'Pipe connections' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $group = "/subscriptions/$prod/resourceGroups/rg-integration"
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null

    # Runs a call and returns its output and its error records apart, warnings dropped.
    function Invoke-Split([scriptblock] $Call) {
        $ErrorActionPreference = 'Continue'
        $all = @(& $Call 2>&1 3>$null)
        [pscustomobject]@{
            Output = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
            Errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        }
    }
    function Get-WhatIf([string] $Cmdlet) { if ($Cmdlet -like 'Set-*') { @{ WhatIf = $true } } else { @{} } }
    function Assert-Error($Record, [string] $ErrorId, [string] $Category, $Target, [string] $Advice) {
        $Record.FullyQualifiedErrorId | Should -BeLike "$ErrorId,LogicAppAuth.Commands.*"
        $Record.CategoryInfo.Category | Should -Be $Category
        if ($null -ne $Target) { $Record.TargetObject | Should -Be $Target }
        $Record.Exception.Message | Should -Match $Advice
    }
}

AfterAll { Disconnect-LogicAppAuth }

Describe 'Bad resource ids' {
    It '<Cmdlet> refuses <Case> with <ErrorId> (<Category>), piped or bound' -TestCases $idCases {
        param($Cmdlet, $Case, $Id, $ErrorId, $Category, $Advice)
        $whatIf = Get-WhatIf $Cmdlet
        $expectedTarget = if ($ErrorId -like '*NotFound' -and $Cmdlet -ne 'Set-LogicConnectorManagedIdentity') { $Id -replace '/providers/.*$', '' } else { $Id }
        foreach ($result in (Invoke-Split { $Id | & $Cmdlet @whatIf }), (Invoke-Split { & $Cmdlet -ResourceId $Id @whatIf })) {
            $result.Output | Should -BeNullOrEmpty
            $result.Errors.Count | Should -Be 1
            Assert-Error $result.Errors[0] $ErrorId $Category $expectedTarget $Advice
        }
    }

    It '<Cmdlet> given <Shown>: piped, it is a bad item (<PipedId>); as -ResourceId, <BoundId> and no tenant-wide read' -TestCases $blankCases {
        param($Cmdlet, $Value, $PipedId, $BoundId)
        $whatIf = Get-WhatIf $Cmdlet
        $piped = Invoke-Split { $Value | & $Cmdlet @whatIf }
        $piped.Output | Should -BeNullOrEmpty
        $piped.Errors.Count | Should -Be 1
        Assert-Error $piped.Errors[0] $PipedId 'InvalidArgument' $null '(is not an Azure resource id|Pipe connections)'

        $bound = Invoke-Split { & $Cmdlet -ResourceId $Value @whatIf }
        $bound.Output | Should -BeNullOrEmpty
        $bound.Errors.Count | Should -Be 1
        Assert-Error $bound.Errors[0] $BoundId 'InvalidArgument' '-ResourceId' 'was given but is empty'
    }

    It 'rejects an empty -Name or -ResourceGroupName of Set-LogicConnectorManagedIdentity at parameter binding' {
        { Set-LogicConnectorManagedIdentity -ResourceGroupName rg-integration -Name '' -SubscriptionId $prod -WhatIf } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,LogicAppAuth.Commands.SetLogicConnectorManagedIdentityCommand'
        { Set-LogicConnectorManagedIdentity -ResourceGroupName '' -Name office365-expired -SubscriptionId $prod -WhatIf } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,LogicAppAuth.Commands.SetLogicConnectorManagedIdentityCommand'
    }

    It 'an empty -SubscriptionId or -ResourceGroupName does not widen Get-LogicConnectorStatus to every subscription' {
        foreach ($splat in @{ SubscriptionId = ' ' }, @{ ResourceGroupName = '' }) {
            $result = Invoke-Split { Get-LogicConnectorStatus @splat }
            $result.Output | Should -BeNullOrEmpty
            $result.Errors.Count | Should -Be 1
            Assert-Error $result.Errors[0] 'NoScopeInInput' 'InvalidArgument' "-$(@($splat.Keys)[0])" 'was given but is empty'
        }
    }
}

Describe '$null in a pipeline' {
    It '<Cmdlet> skips $null between good ids without an error' -TestCases @(
        @{ Cmdlet = 'Get-LogicConnectorStatus' }
        @{ Cmdlet = 'Test-LogicConnectorAuth' }
    ) {
        param($Cmdlet)
        $ids = "$group/providers/Microsoft.Web/connections/office365-expired", "$group/providers/Microsoft.Web/connections/sharepoint-revoked"
        $result = Invoke-Split { $null, $ids[0], $null, $ids[1], $null | & $Cmdlet }
        $result.Errors | Should -BeNullOrEmpty
        @($result.Output.ResourceId | Sort-Object) | Should -Be @($ids | Sort-Object)
    }

    It 'Set-LogicConnectorManagedIdentity -WhatIf does nothing for $null and still refuses the next item on its merits' {
        (Invoke-Split { $null | Set-LogicConnectorManagedIdentity -WhatIf }).Errors | Should -BeNullOrEmpty
        $result = Invoke-Split { $null, "$group/providers/Microsoft.Web/connections/office365-expired" | Set-LogicConnectorManagedIdentity -WhatIf }
        $result.Errors.Count | Should -Be 1
        Assert-Error $result.Errors[0] 'ManagedIdentityNotSupported' 'InvalidArgument' "$group/providers/Microsoft.Web/connections/office365-expired" 'Get-LogicConnectorConsentLink'
    }
}

Describe 'Scopes that do not exist' {
    It '<Cmdlet> with <Case>: <ErrorId> (<Category>)' -TestCases $scopeCases {
        param($Cmdlet, $Splat, $ErrorId, $Category, $Target, $Advice)
        $result = Invoke-Split { & $Cmdlet @Splat }
        $result.Output | Should -BeNullOrEmpty
        $result.Errors.Count | Should -Be 1
        Assert-Error $result.Errors[0] $ErrorId $Category $Target $Advice
    }

    It '<Cmdlet> reads the visible subscription when another named with it does not exist' -TestCases @(
        @{ Cmdlet = 'Get-LogicConnectorStatus' }
        @{ Cmdlet = 'Test-LogicConnectorAuth' }
    ) {
        param($Cmdlet)
        $alone = @(& $Cmdlet -SubscriptionId $prod)
        $result = Invoke-Split { & $Cmdlet -SubscriptionId '00000000-0000-0000-0000-0000000000aa', $prod }
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'SubscriptionNotAccessible,*'
        $result.Output.Count | Should -Be $alone.Count
        $alone.Count | Should -BeGreaterThan 5
    }

    It '<Cmdlet> with wildcards that match nothing: no error, no output' -TestCases $wildcardCases {
        param($Cmdlet, $Splat)
        $result = Invoke-Split { & $Cmdlet @Splat }
        $result.Output | Should -BeNullOrEmpty
        $result.Errors | Should -BeNullOrEmpty
    }
}

Describe 'CSV rows missing columns' {
    It '<Cmdlet> skips each row of a CSV without ResourceId with <ErrorId> naming the row' -TestCases $csvCases {
        param($Cmdlet, $ErrorId, $Advice)
        $csv = Join-Path $TestDrive 'no-id.csv'
        "Connection,Owner`noffice365-expired,alice`nsharepoint-revoked,bob" | Set-Content $csv
        $whatIf = Get-WhatIf $Cmdlet
        $result = Invoke-Split { Import-Csv $csv | & $Cmdlet @whatIf }
        $result.Output | Should -BeNullOrEmpty
        $result.Errors.Count | Should -Be 2
        foreach ($record in $result.Errors) { Assert-Error $record $ErrorId 'InvalidArgument' $null $Advice }
        # The target is the row, as text.
        $result.Errors[0].TargetObject | Should -Match 'Connection=office365-expired'
        $result.Errors[1].TargetObject | Should -Match 'Connection=sharepoint-revoked'

    }

    It 'Get-LogicConnectorStatus reads the good rows of a CSV whose ResourceId column is empty in some' {
        $csv = Join-Path $TestDrive 'some-ids.csv'
        "ResourceId,Note`n$group/providers/Microsoft.Web/connections/office365-expired,a`n,b`n$group/providers/Microsoft.Web/connections/teams-unauthenticated,c" | Set-Content $csv
        $result = Invoke-Split { Import-Csv $csv | Get-LogicConnectorStatus }
        @($result.Output.Name) | Should -Be @('office365-expired', 'teams-unauthenticated')
        $result.Errors.Count | Should -Be 1
        Assert-Error $result.Errors[0] 'NoScopeInInput' 'InvalidArgument' $null 'it was skipped'
        $result.Errors[0].TargetObject | Should -Match 'Note=b'
    }
}

Describe 'A 1,000-item pipeline with a few bad items' {
    # Get-LogicConnectorStatus answers every input row; Test-LogicConnectorAuth diagnoses each distinct connection once per call.
    It '<Cmdlet> processes every good id (<Rows>) and writes one error per bad one' -TestCases @(
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Rows = 'one row per item'; Distinct = $false }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Rows = 'once per distinct connection'; Distinct = $true }
    ) {
        param($Cmdlet, $Distinct)
        $good = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod | Where-Object Exists | ForEach-Object ResourceId)
        $good.Count | Should -BeGreaterThan 10
        $bad = @{ 100 = 'not-an-id'; 333 = "$group/providers/Microsoft.Storage/storageAccounts/stcontoso"; 500 = '/subscriptions/'; 777 = 'connections/office365-healthy'; 999 = 'http://example.com/x' }
        $items = for ($i = 0; $i -lt 1000; $i++) { if ($bad.ContainsKey($i)) { $bad[$i] } else { $good[$i % $good.Count] } }
        $result = Invoke-Split { $items | & $Cmdlet }
        $result.Errors.Count | Should -Be $bad.Count
        @($result.Errors.TargetObject | Sort-Object) | Should -Be @($bad.Values | Sort-Object)
        $result.Errors | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'InvalidArgument' }
        $goodItems = @($items | Where-Object { $_ -like '/subscriptions/*/connections/*' })
        if ($Distinct) { $goodItems = @($goodItems | Sort-Object -Unique) }
        $result.Output.Count | Should -Be $goodItems.Count
        $expected = $goodItems | Group-Object | Sort-Object Name | ForEach-Object { '{0}={1}' -f $_.Name, $_.Count }
        $actual = $result.Output.ResourceId | Group-Object | Sort-Object Name | ForEach-Object { '{0}={1}' -f $_.Name, $_.Count }
        $actual | Should -Be $expected
    }

    It 'Set-LogicConnectorManagedIdentity -WhatIf answers each of 1,000 ids once: an error for each bad one, and nothing written' {
        $ids = @('azureblob-mi-healthy', 'office365-expired') | ForEach-Object { "$group/providers/Microsoft.Web/connections/$_" }
        $bad = @{ 10 = 'not-an-id'; 500 = "$group/providers/Microsoft.Storage/storageAccounts/stcontoso"; 990 = '' }
        $items = for ($i = 0; $i -lt 1000; $i++) { if ($bad.ContainsKey($i)) { $bad[$i] } else { $ids[$i % 2] } }
        $result = Invoke-Split { $items | Set-LogicConnectorManagedIdentity -WhatIf }
        $byId = $result.Errors | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } -AsHashTable -AsString
        $byId['InvalidResourceId'].Count | Should -Be 1
        $byId['NotAConnection'].Count | Should -Be 1
        $byId['NoConnectionInInput'].Count | Should -Be 1
        # office365 has no managed identity: one refusal per such item; azureblob-mi-healthy needs no change.
        $byId['ManagedIdentityNotSupported'].Count | Should -Be (@($items | Where-Object { $_ -eq $ids[1] }).Count)
        $result.Output | Should -BeNullOrEmpty
    }
}

Describe 'Callers without the roles a call needs' {
    BeforeAll {
        function Connect-As([string] $Principal) {
            $parameters = Get-SandboxConnectParameters $sandbox -Principal $Principal
            Connect-LogicAppAuth @parameters | Out-Null
        }
    }
    AfterAll { Connect-LogicAppAuth @connect | Out-Null }

    It 'Reader reads connections and diagnoses them' {
        Connect-As reader
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -ErrorAction Stop).Count | Should -BeGreaterThan 10
        (Test-LogicConnectorAuth -ResourceId "$group/providers/Microsoft.Web/connections/office365-expired" -ErrorAction Stop).Cause | Should -Be 'OAuthTokenExpired'
    }

    It 'Reader gets PermissionDenied naming the action and scope for <Case>' -TestCases @(
        @{ Case = 'a consent link'; Action = 'Microsoft.Web/connections/listConsentLinks/action'; Scope = 'connections/office365-expired'; Call = { Get-LogicConnectorConsentLink -ResourceId "$group/providers/Microsoft.Web/connections/office365-expired" } }
        @{ Case = 'an alert rule'; Action = 'Microsoft.Insights/metricAlerts/write'; Scope = 'metricAlerts/wf-daily-report-runs-failed'; Call = { New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" } }
    ) {
        param($Case, $Action, $Scope, $Call)
        Connect-As reader
        $result = Invoke-Split $Call
        $result.Output | Should -BeNullOrEmpty
        $result.Errors.Count | Should -Be 1
        $record = $result.Errors[0]
        $record.FullyQualifiedErrorId | Should -BeLike 'AuthorizationFailed,*'
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.TargetObject | Should -BeLike "*/$Scope"
        $record.Exception.Message | Should -Match ([regex]::Escape("perform action '$Action' over scope '$group/providers/"))
        $record.Exception.Message | Should -Match 'Ask for a role'
    }

    It 'Reader: -Live says which action the live test needs and still diagnoses' {
        Connect-As reader
        $all = @(Test-LogicConnectorAuth -ResourceId "$group/providers/Microsoft.Web/connections/office365-expired" -Live 3>&1)
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match 'Microsoft\.Web/connections/extensions/proxy/action'
        @($all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] -and $_.PSObject.Properties["Cause"] }).Count | Should -Be 1
    }

    It 'no-role caller gets PermissionDenied naming the read action and scope from <Cmdlet>' -TestCases @(
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Action = 'Microsoft.Web/connections/read'; Target = "/subscriptions/$prod/resourceGroups/rg-integration/providers/Microsoft.Web/connections/office365-expired" }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Action = 'Microsoft.Web/connections/read'; Target = "/subscriptions/$prod/resourceGroups/rg-integration/providers/Microsoft.Web/connections/office365-expired" }
        @{ Cmdlet = 'Set-LogicConnectorManagedIdentity'; Action = 'Microsoft.Web/connections/read'; Target = "/subscriptions/$prod/resourceGroups/rg-integration/providers/Microsoft.Web/connections/office365-expired" }
    ) {
        param($Cmdlet, $Action, $Target)
        Connect-As norole
        $whatIf = Get-WhatIf $Cmdlet
        $result = Invoke-Split { & $Cmdlet -ResourceId "$group/providers/Microsoft.Web/connections/office365-expired" @whatIf }
        $result.Output | Should -BeNullOrEmpty
        $result.Errors.Count | Should -Be 1
        Assert-Error $result.Errors[0] 'AuthorizationFailed' 'PermissionDenied' $Target "perform action '$([regex]::Escape($Action))' over scope '$([regex]::Escape($group))"
        $result.Errors[0].Exception.Message | Should -Match 'Ask for a role'
    }

    It 'no-role caller naming a subscription gets SubscriptionNotAccessible; with no scope, nothing and no error' {
        Connect-As norole
        $result = Invoke-Split { Get-LogicConnectorStatus -SubscriptionId $prod }
        $result.Errors.Count | Should -Be 1
        Assert-Error $result.Errors[0] 'SubscriptionNotAccessible' 'PermissionDenied' "/subscriptions/$prod" 'Ask for Reader on it'
        $everything = Invoke-Split { Get-LogicConnectorStatus }
        $everything.Output | Should -BeNullOrEmpty
        $everything.Errors | Should -BeNullOrEmpty
    }
}

Describe 'Names and ids that would change the request path' {
    It '<Cmdlet> refuses <Case> with <ErrorId> (InvalidArgument) before any request' -TestCases @(
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Case = 'a resource group with /../'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-integration/../rg-standard' }; ErrorId = 'InvalidResourceName' }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Case = 'a resource group with ?'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'x?' }; ErrorId = 'InvalidResourceName' }
        @{ Cmdlet = 'Set-LogicConnectorManagedIdentity'; Case = 'a name with ?api-version'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-integration'; Name = 'a?api-version=2016-06-01&x='; WhatIf = $true }; ErrorId = 'InvalidResourceName' }
        @{ Cmdlet = 'Get-LogicConnectorConsentLink'; Case = 'a name with #'; Splat = @{ SubscriptionId = $prod; ResourceGroupName = 'rg-integration'; Name = 'office365-expired#x' }; ErrorId = 'InvalidResourceName' }
        @{ Cmdlet = 'Get-LogicConnectorStatus'; Case = 'an id with .. segments'; Splat = @{ ResourceId = "/subscriptions/$prod/resourceGroups/rg-integration/providers/Microsoft.Web/connections/x/../../../../rg-standard" }; ErrorId = 'InvalidResourceId' }
        @{ Cmdlet = 'Test-LogicConnectorAuth'; Case = 'an id with ?'; Splat = @{ ResourceId = "/subscriptions/$prod/resourceGroups/rg-integration/providers/Microsoft.Web/connections/a?api-version=2016-06-01" }; ErrorId = 'InvalidResourceId' }
    ) {
        param($Cmdlet, $Splat, $ErrorId)
        Clear-SandboxRequestLog -Sandbox $sandbox
        $result = Invoke-Split { & $Cmdlet @Splat }
        $result.Output | Should -BeNullOrEmpty
        $result.Errors.Count | Should -Be 1
        Assert-Error $result.Errors[0] $ErrorId 'InvalidArgument' $null 'Nothing was sent'
        @(Get-SandboxRequestLog -Sandbox $sandbox | Where-Object { $_.path -like '/subscriptions*' -or $_.path -like '/providers*' }) | Should -BeNullOrEmpty
    }
}
