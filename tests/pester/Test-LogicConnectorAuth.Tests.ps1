BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $contosoTenant = $Contoso.TenantId
    $groupId = "/subscriptions/$prod/resourceGroups/rg-integration"
    $standardId = "/subscriptions/$prod/resourceGroups/rg-standard"
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    $rows = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $prod) + @(Test-LogicConnectorAuth -ResourceGroupName rg-standard -SubscriptionId $prod)
    function Row([string] $Name) { $rows | Where-Object Name -eq $Name }
    function Get-SandboxRequests { $log = Invoke-RestMethod -Uri ($sandbox.resourceManagerUrl.TrimEnd('/') + '/_sandbox/requests') -SkipCertificateCheck; $log }
    function Clear-SandboxRequests { Invoke-RestMethod -Method Delete -Uri ($sandbox.resourceManagerUrl.TrimEnd('/') + '/_sandbox/requests') -SkipCertificateCheck | Out-Null }
    function Get-SandboxToken([string] $Principal, [string] $Audience) {
        $body = @{ principal = $Principal; audience = $Audience } | ConvertTo-Json
        (Invoke-RestMethod -Method Post -Uri ($sandbox.resourceManagerUrl.TrimEnd('/') + '/_sandbox/token') -ContentType 'application/json' -Body $body -SkipCertificateCheck).access_token
    }
    $contract = 'ConnectionDeleted', 'AppSettingMissing', 'WrongTenant', 'UserNotFound', 'UserAccountDisabled', 'CertificateExpired', 'SecretExpired', 'KeyRotated', 'ManagedIdentityNotAssigned',
        'AccessPolicyMissing', 'PermissionMissing', 'OAuthTokenRevoked', 'OAuthTokenExpired', 'ConsentMissing', 'Unknown'
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Test-LogicConnectorAuth: one cause per connection of the contoso scenario, from real evidence' {
    It '<Name> -> <Cause>' -TestCases @(
        @{ Name = 'office365-expired'; Cause = 'OAuthTokenExpired'; All = 'OAuthTokenExpired'; Evidence = 'statuses\[0\]: Unauthorized AADSTS700082'; Command = '^Get-LogicConnectorConsentLink -ResourceId ''/subscriptions/.+/office365-expired''$' }
        @{ Name = 'sharepoint-revoked'; Cause = 'OAuthTokenRevoked'; All = 'OAuthTokenRevoked'; Evidence = 'AADSTS50173'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'teams-unauthenticated'; Cause = 'ConsentMissing'; All = 'ConsentMissing'; Evidence = 'Unauthenticated'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'office365-deleted'; Cause = 'ConnectionDeleted'; All = 'ConnectionDeleted'; Evidence = 'does not exist.*wf-legacy-sync'; Command = '^New-AzResource -ResourceId ''/subscriptions/.+/office365-deleted'' -Location ''westeurope''' }
        @{ Name = 'outlook-disabled-user'; Cause = 'UserAccountDisabled'; All = 'UserAccountDisabled'; Evidence = 'DiegoS@contoso\.onmicrosoft\.com accountEnabled=false'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'outlook-deleted-user'; Cause = 'UserNotFound'; All = 'UserNotFound'; Evidence = 'AlexW@contoso\.onmicrosoft\.com not found \(404'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'azureblob-mi'; Cause = 'ManagedIdentityNotAssigned'; All = 'ManagedIdentityNotAssigned'; Evidence = 'wf-blob-archive has no system-assigned identity'; Command = '^Set-LogicConnectorManagedIdentity -ResourceId ''/subscriptions/.+/azureblob-mi''$' }
        @{ Name = 'servicebus-mi'; Cause = 'PermissionMissing'; All = 'PermissionMissing'; Evidence = 'wf-order-queue.*no role granting Microsoft\.ServiceBus/namespaces/messages/send/action.*on sb-contoso-orders'; Command = '^Set-LogicConnectorManagedIdentity -ResourceId ' }
        @{ Name = 'keyvault-sp-norole'; Cause = 'PermissionMissing'; All = 'PermissionMissing'; Evidence = '^service principal sp-logicappauth-norole \(5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03\) has no role granting Microsoft\.KeyVault/vaults/secrets/getSecret/action.* on kv-contoso-secrets \(scope /subscriptions/.+/Microsoft\.KeyVault/vaults/kv-contoso-secrets\) \(no role assignments; least-privileged role: Key Vault Secrets User\)'; Command = '^New-AzRoleAssignment -ObjectId ''5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03'' -RoleDefinitionName ''Key Vault Secrets User'' -Scope ''/subscriptions/.+/Microsoft\.KeyVault/vaults/kv-contoso-secrets''$' }
        @{ Name = 'keyvault-sp-secret-expired'; Cause = 'SecretExpired'; All = 'SecretExpired'; Evidence = 'app-logic-keyvault-reader.*only client secret ended {0}'; Written = '2025-06-30T08:00:00Z'; Command = '^New-AzADAppCredential -ApplicationId ''7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3'' -EndDate ' }
        @{ Name = 'azureblob-sp-cert-expired'; Cause = 'CertificateExpired'; All = 'CertificateExpired'; Evidence = 'app-logic-blob-export.*only certificate ended {0}'; Written = '2025-09-15T12:00:00Z'; Command = '^New-AzADAppCredential -ApplicationId ''8d2f5a3b-0c4e-4f6a-b7c8-d9e0f1a2b3c4'' -CertValue ' }
        @{ Name = 'office365-wrong-tenant'; Cause = 'WrongTenant'; All = 'WrongTenant'; Evidence = 'token:TenantId 9f8e7d6c-1b2a-4c3d-8e9f-0a1b2c3d4e5f is not the subscription''s tenant 6d2a1c44'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'office365-guest'; Cause = 'WrongTenant'; All = 'WrongTenant'; Evidence = 'guest account john\.doe_fabrikam\.com#EXT#'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'office365-disabled-expired'; Cause = 'UserAccountDisabled'; All = 'UserAccountDisabled;OAuthTokenExpired'; Evidence = 'IsaiahL@contoso\.onmicrosoft\.com accountEnabled=false; statuses\[0\]: Unauthorized AADSTS700082'; Command = '^Get-LogicConnectorConsentLink -ResourceId ' }
        @{ Name = 'sql-v2-nopolicy'; Cause = 'AccessPolicyMissing'; All = 'AccessPolicyMissing'; Evidence = 'no access policy on the V2 connection for Standard app la-contoso-std''s system-assigned identity df5cf40e'; Command = '^Set-LogicConnectorManagedIdentity -ResourceId ''/subscriptions/.+/rg-standard/.+/sql-v2-nopolicy''$' }
        @{ Name = 'servicebus-v2-deleted'; Cause = 'ConnectionDeleted'; All = 'ConnectionDeleted'; Evidence = 'referenced by Standard app la-contoso-std'; Command = '-Kind ''V2''' }
    ) {
        param($Name, $Cause, $All, $Evidence, $Command, $Written)
        # A credential's end date in the evidence is the date contoso.json writes, moved to the sandbox's start.
        if ($Written) { $Evidence = $Evidence -f (Get-ScenarioTime $sandbox $Written).UtcDateTime.ToString('yyyy-MM-dd') }
        $row = Row $Name
        $row | Should -Not -BeNullOrEmpty
        $row.Cause | Should -Be $Cause
        $row.AllCauses | Should -Be $All
        $row.Healthy | Should -BeFalse
        $row.Evidence | Should -Match $Evidence
        $row.RemediationCommand | Should -Match $Command
        $row.Remediation | Should -Not -BeNullOrEmpty
        $row.Severity | Should -BeIn 'Warning', 'Error'
    }

    It 'calls <Name> healthy, with the evidence that cleared it' -TestCases @(
        @{ Name = 'office365-healthy'; Evidence = 'MeganB@contoso\.onmicrosoft\.com accountEnabled=true' }
        @{ Name = 'office365-unused'; Evidence = 'accountEnabled=true' }
        @{ Name = 'azureblob-mi-healthy'; Evidence = 'wf-blob-ingest.*holds Storage Blob Data Contributor' }
        @{ Name = 'office365-v2'; Evidence = 'access policy present for Standard app la-contoso-std' }
    ) {
        param($Name, $Evidence)
        $row = Row $Name
        $row.Healthy | Should -BeTrue
        $row.Cause | Should -Be 'None'
        $row.AllCauses | Should -Be ''
        $row.Severity | Should -Be 'None'
        $row.RemediationCommand | Should -Be ''
        $row.SkippedChecks | Should -Be ''
        $row.Evidence | Should -Match $Evidence
    }

    It 'checks the roles of the service principal a <Name> connection signs in as, and clears it when the app holds one' -TestCases @(
        @{ Name = 'keyvault-sp-secret-expired'; Evidence = 'service principal app-logic-keyvault-reader \(f2a3b4c5-0007-.+\) holds Key Vault Secrets User at /subscriptions/.+/kv-contoso-secrets' }
        @{ Name = 'azureblob-sp-cert-expired'; Evidence = 'service principal app-logic-blob-export \(f2a3b4c5-0008-.+\) holds Storage Blob Data Contributor at /subscriptions/.+/stcontosodata' }
    ) {
        param($Name, $Evidence)
        $row = Row $Name
        $row.Evidence | Should -Match $Evidence
        $row.AllCauses | Should -Not -Match 'PermissionMissing'
    }

    It 'emits one flat ConnectorDiagnosis per connection, with the contract properties' {
        # 20, plus the V2 connections of la-contoso-vscode (3), the Key Vault oauthMI / Alternative ones (2) of issue 14, and the
        # built-in connections of la-contoso-builtin (8) of issue 17.
        $rows.Count | Should -Be 33
        @($rows | Where-Object ResourceId -like '*/serviceProviderConnections/*').Count | Should -Be 8
        ($rows.ResourceId | Sort-Object -Unique).Count | Should -Be $rows.Count
        foreach ($row in $rows) {
            $row | Should -BeOfType ([LogicAppAuth.ConnectorDiagnosis])
            $expectedId = if ($row.Name -match '^(?<app>[^/]+)/(?<entry>[^/]+)$') { "providers/Microsoft.Web/sites/$($Matches.app)/serviceProviderConnections/$($Matches.entry)" } else { "providers/Microsoft.Web/connections/$($row.Name)" }
            $row.ResourceId | Should -Match "^/subscriptions/$prod/resourceGroups/rg-(integration|standard)/$([regex]::Escape($expectedId))$"
            $row.SubscriptionId | Should -Be $prod
            $row.ResourceGroupName | Should -BeIn 'rg-integration', 'rg-standard'
        }
        foreach ($property in 'ResourceId', 'SubscriptionId', 'ResourceGroupName', 'Name', 'ApiName', 'Healthy', 'Cause', 'AllCauses', 'Severity', 'Evidence', 'Remediation', 'RemediationCommand') {
            $rows[0].PSObject.Properties.Name | Should -Contain $property
        }
        foreach ($property in $rows[0].PSObject.Properties) {
            $property.TypeNameOfValue | Should -Match '^System\.(String|Int32|Boolean|Nullable.*(DateTimeOffset|Int32).*)$|^LogicAppAuth\.'
        }
        ($rows | Where-Object Name -eq 'office365-expired').UsedBy | Should -Be 'wf-daily-report'
    }

    It 'writes Evidence on one line' {
        $rows | ForEach-Object { $_.Evidence | Should -Not -Match "[`r`n]" }
    }

    It 'has a default table view with the cause' {
        $table = $rows | Out-String -Width 250
        $table | Should -Match 'Cause'
        $table | Should -Match 'Severity'
        $table | Should -Not -Match 'RemediationCommand'
    }

    It 'survives Export-Csv and ConvertTo-Json without flattening' {
        $csv = $rows | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        ($csv | Where-Object Name -eq 'office365-disabled-expired').AllCauses | Should -Be 'UserAccountDisabled;OAuthTokenExpired'
        ($rows | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json | Where-Object Name -eq 'servicebus-mi').Cause | Should -Be 'PermissionMissing'
    }
}

Describe 'Test-LogicConnectorAuth precedence' {
    It 'lists AllCauses in the contract order and picks the first as Cause, for every connection' {
        foreach ($row in $rows | Where-Object { -not $_.Healthy }) {
            $all = @($row.AllCauses -split ';')
            $ranks = @($all | ForEach-Object { [array]::IndexOf($contract, $_) })
            $ranks | Should -Not -Contain -1
            ($ranks | Sort-Object) -join ',' | Should -Be ($ranks -join ',')
            $row.Cause | Should -Be $all[0]
        }
    }

    It 'puts a disabled user before the expired token it causes' {
        $row = Row 'office365-disabled-expired'
        $row.Cause | Should -Be 'UserAccountDisabled'
        $row.Evidence.IndexOf('accountEnabled=false') | Should -BeLessThan $row.Evidence.IndexOf('AADSTS700082')
    }

    It 'rates broken connections Error and a guest that still works Warning' {
        (Row 'office365-expired').Severity | Should -Be 'Error'
        (Row 'office365-guest').Severity | Should -Be 'Warning'
    }
}

Describe 'Test-LogicConnectorAuth input' {
    It 'diagnoses the output of Get-LogicConnectorStatus, NotFound rows included' {
        $status = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod)
        $result = @($status | Test-LogicConnectorAuth)
        $result.Count | Should -Be $status.Count
        ($result | Where-Object Name -eq 'office365-deleted').Cause | Should -Be 'ConnectionDeleted'
        ($result | Where-Object Name -eq 'office365-deleted').Exists | Should -BeFalse
        ($result | Where-Object Name -eq 'office365-disabled-expired').AllCauses | Should -Be 'UserAccountDisabled;OAuthTokenExpired'
    }

    It 'takes ConnectorStatus rows re-imported from CSV through ResourceId' {
        $csv = Join-Path $TestDrive 'status.csv'
        Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -Name 'office365-expired', 'office365-deleted' | Export-Csv $csv -NoTypeInformation
        $result = @(Import-Csv $csv | Test-LogicConnectorAuth)
        $result.Name | Sort-Object | Should -Be @('office365-deleted', 'office365-expired')
        ($result | Where-Object Name -eq 'office365-expired').Cause | Should -Be 'OAuthTokenExpired'
    }

    It 'takes resource ids as strings, and -ResourceGroupName with -Name' {
        $result = @("$groupId/providers/Microsoft.Web/connections/teams-unauthenticated" | Test-LogicConnectorAuth)
        $result.Count | Should -Be 1
        $result[0].Cause | Should -Be 'ConsentMissing'
        $named = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -Name 'outlook-*' -SubscriptionId $prod)
        $named.Name | Sort-Object | Should -Be @('outlook-deleted-user', 'outlook-disabled-user')
        (Test-LogicConnectorAuth -ResourceGroupName rg-integration -Name 'servicebus-mi' -SubscriptionId $prod).Cause | Should -Be 'PermissionMissing'
    }

    It 'takes a workflow (Get-AzLogicApp shape) and a Standard app, and diagnoses each connection they use' {
        $workflow = [pscustomobject]@{ Name = 'wf-invoice-approval'; Id = "$groupId/providers/Microsoft.Logic/workflows/wf-invoice-approval"; ResourceGroupName = 'rg-integration' }
        $result = @($workflow | Test-LogicConnectorAuth)
        $result.Name | Sort-Object | Should -Be @('office365-healthy', 'sharepoint-revoked')
        $standard = @(Test-LogicConnectorAuth -ResourceId "$standardId/providers/Microsoft.Web/sites/la-contoso-std")
        ($standard | Where-Object Name -eq 'sql-v2-nopolicy').Cause | Should -Be 'AccessPolicyMissing'
        ($standard | Where-Object Name -eq 'servicebus-v2-deleted').Cause | Should -Be 'ConnectionDeleted'
    }

    It 'reports an id of another resource type as a non-terminating error and goes on' {
        $ids = "$groupId/providers/Microsoft.Storage/storageAccounts/stcontosodata", "$groupId/providers/Microsoft.Web/connections/office365-healthy"
        $result = @($ids | Test-LogicConnectorAuth -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedResourceType,*'
    }
}

Describe 'Test-LogicConnectorAuth -Live' {
    BeforeAll {
        Clear-SandboxRequests
        $live = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $prod -Live)
        $requests = @(Get-SandboxRequests)
    }

    It 'calls testLinks and puts the answer into the evidence' {
        ($live | Where-Object Name -eq 'office365-healthy').LiveTest | Should -Be 'testLinks: 200 OK'
        ($live | Where-Object Name -eq 'office365-healthy').Healthy | Should -BeTrue
        $expired = $live | Where-Object Name -eq 'office365-expired'
        $expired.LiveTest | Should -Match '^testLinks: 401'
        $expired.Evidence | Should -Match 'live test \(testLinks\) 401: Unauthorized AADSTS700082'
        $expired.Cause | Should -Be 'OAuthTokenExpired'
    }

    It 'sends nothing that changes data: only GETs, and POSTs to read actions' {
        $writes = @($requests | Where-Object { $_.method -notin 'GET' -and $_.path -notmatch '/(dynamicInvoke|listWorkflowsConnections|\$batch)$' })
        $writes | Should -BeNullOrEmpty
        @($requests | Where-Object { $_.path -like '*/extensions/proxy/testconnection' }).Count | Should -BeGreaterThan 5
        @($requests | Where-Object { $_.path -match '/beta/' }) | Should -BeNullOrEmpty
    }

    It 'falls back to testRequests (dynamicInvoke) when a connection has no testLinks' {
        # A copy of contoso in which office365-expired lost its testLinks, served by a second sandbox.
        $scenario = Get-Content (Join-Path $SandboxPath 'Scenarios/contoso.json') -Raw | ConvertFrom-Json -Depth 100
        ($scenario.resources | Where-Object name -eq 'office365-expired').properties.PSObject.Properties.Remove('testLinks')
        $scenario.name = 'contoso-notestlinks'
        $file = Join-Path $TestDrive 'contoso-notestlinks.json'
        $scenario | ConvertTo-Json -Depth 100 | Set-Content $file
        $second = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario $file
        try {
            $secondConnect = Get-SandboxConnectParameters $second
            Connect-LogicAppAuth @secondConnect | Out-Null
            $result = Test-LogicConnectorAuth -ResourceId "$groupId/providers/Microsoft.Web/connections/office365-expired" -Live
            $result.LiveTest | Should -Be 'testRequests: 401 Unauthorized'
            $result.Evidence | Should -Match 'live test \(testRequests\) 401: Unauthorized AADSTS700082'
            $result.Cause | Should -Be 'OAuthTokenExpired'
        }
        finally {
            $second | Stop-LogicAppAuthSandbox
            Connect-LogicAppAuth @connect | Out-Null
        }
    }
}

Describe 'Test-LogicConnectorAuth -IncludeRunHistory' {
    BeforeAll {
        $history = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $prod -IncludeRunHistory -Since (Get-Date).AddYears(-2))
    }

    It 'counts failed runs with 401/403 on the connection and says when the last one was' {
        $expired = $history | Where-Object Name -eq 'office365-expired'
        $expired.FailedRunCount | Should -BeGreaterThan 0
        $expired.LastFailedRunTime | Should -BeOfType ([DateTimeOffset])
        $expired.Evidence | Should -Match 'run history: \d+ failed run\(s\) with 401/403 on this connection since .*wf-daily-report/'
    }

    It 'attributes failures to the connection the failed action uses, not to every connection of the workflow' {
        ($history | Where-Object Name -eq 'office365-healthy').FailedRunCount | Should -Be 0
        ($history | Where-Object Name -eq 'office365-healthy').Healthy | Should -BeTrue
        ($history | Where-Object Name -eq 'sharepoint-revoked').FailedRunCount | Should -BeGreaterThan 0
    }

    It 'finds nothing before -Since' {
        $none = Test-LogicConnectorAuth -ResourceId "$groupId/providers/Microsoft.Web/connections/office365-expired" -Since (Get-Date).AddDays(1)
        $none.FailedRunCount | Should -Be 0
        $none.Evidence | Should -Match 'run history: no 401/403 failures'
    }
}

Describe 'Test-LogicConnectorAuth without the rights to check everything' {
    BeforeAll {
        # Reader on the subscription for ARM, but a Graph token without any Graph permission.
        Connect-LogicAppAuth -AccessToken (Get-SandboxToken 'reader' 'https://management.azure.com/') -MicrosoftGraphAccessToken (Get-SandboxToken 'norole' 'https://graph.microsoft.com') `
            -ResourceManagerUrl $sandbox.resourceManagerUrl -GraphUrl $sandbox.graphUrl -TrustedCertificatePath $sandbox.certificatePath | Out-Null
        $limited = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $prod -WarningVariable warnings -WarningAction SilentlyContinue)
    }
    AfterAll { Connect-LogicAppAuth @connect | Out-Null }

    It 'does not call a connection healthy when its user could not be checked' {
        $healthy = $limited | Where-Object Name -eq 'office365-healthy'
        $healthy.Healthy | Should -BeFalse
        $healthy.Cause | Should -Be 'Unknown'
        $healthy.Severity | Should -Be 'Warning'
        $healthy.SkippedChecks | Should -Match 'user check skipped: Graph /users answered 403 Authorization_RequestDenied \(needs User\.Read\.All\)'
        $healthy.Evidence | Should -Match 'user check skipped'
    }

    It 'does not guess a cause that only Graph could prove' {
        ($limited | Where-Object Name -eq 'outlook-disabled-user').Cause | Should -Be 'Unknown'
        ($limited | Where-Object Name -eq 'office365-disabled-expired').AllCauses | Should -Be 'OAuthTokenExpired'
    }

    It 'still proves what the stored state proves' {
        ($limited | Where-Object Name -eq 'outlook-deleted-user').Cause | Should -Be 'UserNotFound'   # AADSTS50034
        ($limited | Where-Object Name -eq 'keyvault-sp-secret-expired').Cause | Should -Be 'SecretExpired'   # AADSTS7000222
        ($limited | Where-Object Name -eq 'servicebus-mi').Cause | Should -Be 'PermissionMissing'
    }

    It 'skips the role check of a service-principal connection when Graph will not name its service principal' {
        $row = $limited | Where-Object Name -eq 'keyvault-sp-norole'
        $row.Cause | Should -Be 'Unknown'
        $row.SkippedChecks | Should -Match 'role check skipped: Graph /servicePrincipals answered 403 Authorization_RequestDenied \(needs Application\.Read\.All\)'
    }

    It 'skips the live test when the signed-in identity may not call it, and says so once' {
        $live = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $prod -Name 'office365-*' -Live -WarningVariable liveWarnings -WarningAction SilentlyContinue)
        ($live | Where-Object Name -eq 'office365-expired').Cause | Should -Be 'OAuthTokenExpired'
        ($live | Where-Object Name -eq 'office365-expired').SkippedChecks | Should -Match 'live test skipped: .*403 AuthorizationFailed'
        @($liveWarnings | Where-Object { "$_" -match 'live test' }).Count | Should -Be 1
    }

    It 'warns once per missing permission, not once per connection' {
        $warnings.Count | Should -Be 2
        @($warnings | Where-Object { "$_" -match 'User\.Read\.All' }).Count | Should -Be 1
        @($warnings | Where-Object { "$_" -match 'Application\.Read\.All' }).Count | Should -Be 1
    }
}

Describe 'Test-LogicConnectorAuth speed' {
    It 'sends its Graph look-ups deduplicated, in $batch requests of at most 20, under /v1.0 only' {
        Clear-SandboxRequests
        $result = @(Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $prod -Verbose 4>&1)
        $summary = $result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Diagnosed *' } | Select-Object -Last 1
        $summary.Message -match '(\d+) distinct Graph look-up\(s\) in (\d+) Graph request' | Should -BeTrue
        [int] $lookups = $Matches[1]; [int] $requests = $Matches[2]
        $requests | Should -BeLessOrEqual ([math]::Ceiling($lookups / 20) * 1.1)
        $graph = @(Get-SandboxRequests | Where-Object { $_.path -like '/v1.0/*' -or $_.path -like '/beta/*' })
        $graph.Count | Should -Be $requests
        $graph | ForEach-Object { $_.path | Should -Be '/v1.0/$batch' }
    }

    It 'reads a subscription''s role assignments once, and its tenant from the subscription list rather than asking again' {
        Clear-SandboxRequests
        $diagnosed = @(Test-LogicConnectorAuth -SubscriptionId $prod)
        ($diagnosed | Where-Object Cause -eq 'PermissionMissing') | Should -Not -BeNullOrEmpty
        $log = @(Get-SandboxRequests)
        @($log | Where-Object { $_.method -eq 'GET' -and $_.path -eq "/subscriptions/$prod" }) | Should -BeNullOrEmpty
        @($log | Where-Object { $_.path -eq "/subscriptions/$prod/providers/Microsoft.Authorization/roleAssignments" }).Count | Should -Be 1
        ($diagnosed | Where-Object Cause -eq 'WrongTenant') | Should -Not -BeNullOrEmpty
    }
}

Describe 'Test-LogicConnectorAuth diagnoses what the inventory finds, with its scopes' {
    BeforeAll {
        function Graph-Queries { @(Get-SandboxRequests | Where-Object { $_.path -like '/providers/Microsoft.ResourceGraph/*' }).Count }
        $listed = @(Get-LogicConnectorStatus -SubscriptionId $prod)
    }

    It 'diagnoses exactly the connections Get-LogicConnectorStatus lists for a subscription, through Resource Graph' {
        Clear-SandboxRequests
        $diagnosed = @(Test-LogicConnectorAuth -SubscriptionId $prod)
        Graph-Queries | Should -BeGreaterThan 0
        ($diagnosed.ResourceId | Sort-Object) | Should -Be ($listed.ResourceId | Sort-Object)
        ($diagnosed | Where-Object Name -eq 'office365-expired').Evidence | Should -Match 'as Azure Resource Graph recorded it'
    }

    It 'diagnoses the subscriptions under a management group' {
        $diagnosed = @(Test-LogicConnectorAuth -ManagementGroupId mg-contoso -ErrorVariable failures)
        $failures | Should -BeNullOrEmpty
        ($diagnosed.ResourceId | Sort-Object) | Should -Be ($listed.ResourceId | Sort-Object)
        ($diagnosed | Where-Object Name -eq 'outlook-disabled-user').Cause | Should -Be 'UserAccountDisabled'
    }

    It 'filters with -Name and -ApiName as Get-LogicConnectorStatus does' {
        $diagnosed = @(Test-LogicConnectorAuth -SubscriptionId $prod -ApiName 'office365' -Name '*expired*')
        $expected = @(Get-LogicConnectorStatus -SubscriptionId $prod -ApiName 'office365' -Name '*expired*')
        $expected.Count | Should -BeGreaterThan 0
        ($diagnosed.Name | Sort-Object) | Should -Be ($expected.Name | Sort-Object)
        @(Test-LogicConnectorAuth -SubscriptionId $prod -ApiName 'no-such-api') | Should -BeNullOrEmpty
    }

    It '-NoResourceGraph reads every connection from ARM and reaches the same verdicts' {
        Clear-SandboxRequests
        $fresh = @(Test-LogicConnectorAuth -SubscriptionId $prod -NoResourceGraph)
        Graph-Queries | Should -Be 0
        $viaGraph = @(Test-LogicConnectorAuth -SubscriptionId $prod)
        ($fresh | Sort-Object ResourceId | ForEach-Object { "$($_.Name)=$($_.Cause)" }) | Should -Be ($viaGraph | Sort-Object ResourceId | ForEach-Object { "$($_.Name)=$($_.Cause)" })
        $fresh.Evidence | Should -Not -Match 'Resource Graph'
    }

    It 'gives the same verdicts by subscription as by resource group' {
        $bySubscription = @(Test-LogicConnectorAuth -SubscriptionId $prod) | Where-Object ResourceGroupName -eq 'rg-integration'
        ($bySubscription | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Cause)" }) |
            Should -Be ($rows | Where-Object ResourceGroupName -eq 'rg-integration' | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Cause)" })
    }
}

Describe 'Run history: the Prometheus counter and the diagnosis count the same runs' {
    It 'Export-LogicConnectorMetric and Test-LogicConnectorAuth -IncludeRunHistory agree on every connection of the subscription' {
        $path = Join-Path $TestDrive 'agreement.prom'
        $hours = 2160
        Export-LogicConnectorMetric -Path $path -SubscriptionId $prod -FirstRunLookbackHours $hours
        $counters = @{}
        foreach ($line in Get-Content $path) {
            if ($line -match '^azure_logicapp_auth_failures_total\{.*resource_group="(?<group>[^"]+)",connection="(?<name>[^"]+)".*\} (?<value>\d+)$') {
                $counters["$($Matches.group)/$($Matches.name)"] = [int]$Matches.value
            }
        }

        $diagnosed = @(Test-LogicConnectorAuth -SubscriptionId $prod -IncludeRunHistory -Since ([DateTime]::UtcNow.AddHours(-$hours)))
        $withRuns = @($diagnosed | Where-Object Exists)
        $withRuns.Count | Should -BeGreaterThan 5
        ($counters.Values | Measure-Object -Sum).Sum | Should -BeGreaterThan 0
        foreach ($diagnosis in $withRuns) {
            $key = "$($diagnosis.ResourceGroupName)/$($diagnosis.Name)"
            [int]$diagnosis.FailedRunCount | Should -Be ([int]$counters[$key]) -Because "$key is counted by both"
        }
    }
}

Describe 'Key Vault connections signed in with the connector''s other managed-identity shapes (review F2)' {
    It 'asks each connector''s metadata once per API and location, for the connections that name a sign-in set' {
        Clear-SandboxRequests
        $rows = @(Get-LogicConnectorStatus -SubscriptionId $prod)
        $metadata = @(Get-SandboxRequests | Where-Object { $_.path -like '*/managedApis/*' })
        $metadata.Count | Should -BeGreaterThan 0
        ($metadata.path | Sort-Object -Unique).Count | Should -Be $metadata.Count
        ($rows | Where-Object Name -eq 'keyvault-mi-oauth').AuthenticationType | Should -Be 'ManagedIdentity'
    }

    It '<Name>: AuthenticationType ManagedIdentity, diagnosed <Cause>' -TestCases @(
        @{ Name = 'keyvault-mi-oauth'; Cause = 'None' }
        @{ Name = 'keyvault-mi-alternative'; Cause = 'PermissionMissing' }
    ) {
        param($Name, $Cause)
        $id = "$groupId/providers/Microsoft.Web/connections/$Name"
        "$((Get-LogicConnectorStatus -ResourceId $id).AuthenticationType)" | Should -Be 'ManagedIdentity'
        $diagnosis = Test-LogicConnectorAuth -ResourceId $id
        "$($diagnosis.Cause)" | Should -Be $Cause
        if ($Cause -eq 'PermissionMissing') { $diagnosis.Evidence | Should -Match 'kv-contoso-secrets' }
    }

    It 'fixes the Alternative connection by granting the role only: its sign-in already is the managed identity' {
        $id = "$groupId/providers/Microsoft.Web/connections/keyvault-mi-alternative"
        $results = @(Set-LogicConnectorManagedIdentity -ResourceId $id -Confirm:$false -PassThru -BackupPath (Join-Path $TestDrive 'kv-alternative'))
        ($results | Where-Object Operation -eq 'AssignRole').RoleName | Should -Be 'Key Vault Secrets User'
        ($results | Where-Object Operation -eq 'SetConnectionAuthentication').Status | Should -Be 'AlreadyInPlace'
        "$((Test-LogicConnectorAuth -ResourceId $id).Cause)" | Should -Be 'None'
        Restore-LogicAppAuthBackup -Path (Join-Path $TestDrive 'kv-alternative') -Confirm:$false
        "$((Test-LogicConnectorAuth -ResourceId $id).Cause)" | Should -Be 'PermissionMissing'
    }
}
