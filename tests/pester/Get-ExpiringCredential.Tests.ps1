BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $group = "/subscriptions/$prod/resourceGroups/rg-integration"
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    $rows = @(Get-ExpiringCredential)
    function Row([string] $DisplayName) { $rows | Where-Object DisplayName -eq $DisplayName }
    function Connection([string] $Name) { $rows | Where-Object { $_.Kind -eq 'OAuthConsent' -and $_.Name -eq $Name } }

    function New-EdgeScenario {
        <# contoso plus apps whose credentials end at the window's edges (relative to now), and connections that use them.
           The times are written in the file's frame (as on its timesAsOf); a sandbox started with --now $result.Now serves them as given. #>
        param([string] $Path)
        $scenario = Get-Content (Join-Path $SandboxPath 'Scenarios/contoso.json') -Raw | ConvertFrom-Json -Depth 100
        $scenario.name = 'expiry-edges'
        $now = [DateTimeOffset]::UtcNow
        $today = [DateTimeOffset]::new($now.UtcDateTime.Date, [TimeSpan]::Zero)
        $timesAsOf = [DateTimeOffset] $scenario.timesAsOf
        $iso = { param($t) ($timesAsOf + ($t - $now)).UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ') }
        $edges = [ordered]@{
            'app-edge-expired' = @{ n = 1; end = $now.AddDays(-1); kind = 'password' }
            'app-edge-today'   = @{ n = 2; end = $today.AddDays(1).AddSeconds(-1); kind = 'password' }
            'app-edge-day30'   = @{ n = 3; end = $today.AddDays(30).AddHours(12); kind = 'key' }
            'app-edge-day31'   = @{ n = 4; end = $today.AddDays(31).AddHours(12); kind = 'password' }
        }
        $apps = [ordered]@{}
        foreach ($name in $edges.Keys) {
            $e = $edges[$name]
            $appId = '5e5e5e5e-0000-4000-8000-00000000000{0}' -f $e.n
            $credential = [ordered]@{ customKeyIdentifier = $null; displayName = "$name-credential"; endDateTime = (& $iso $e.end); keyId = ('6f6f6f6f-0000-4000-8000-00000000000{0}' -f $e.n); startDateTime = (& $iso $now.AddDays(-300)) }
            $app = [ordered]@{ id = ('7a7a7a7a-0000-4000-8000-00000000000{0}' -f $e.n); appId = $appId; displayName = $name; passwordCredentials = @(); keyCredentials = @() }
            if ($e.kind -eq 'key') { $credential.type = 'AsymmetricX509Cert'; $credential.usage = 'Verify'; $app.keyCredentials = @($credential) }
            else { $credential.hint = 'abc'; $app.passwordCredentials = @($credential) }
            $scenario.graph.applications += [pscustomobject]$app
            $apps[$name] = $appId
        }
        $scenario.graph.servicePrincipals += [pscustomobject]@{ id = '8b8b8b8b-0000-4000-8000-000000000001'; appId = '5e5e5e5e-0000-4000-8000-0000000000a1'; displayName = 'sp-edge-saml'; servicePrincipalType = 'Application'
            keyCredentials = @([ordered]@{ keyId = '6f6f6f6f-0000-4000-8000-0000000000a1'; displayName = 'CN=saml'; type = 'AsymmetricX509Cert'; usage = 'Verify'; endDateTime = (& $iso $today.AddDays(10).AddHours(6)) }); passwordCredentials = @() }
        $scenario.graph.servicePrincipals += [pscustomobject]@{ id = '8b8b8b8b-0000-4000-8000-000000000002'; appId = '5e5e5e5e-0000-4000-8000-0000000000a2'; displayName = 'mi-edge'; servicePrincipalType = 'ManagedIdentity'
            keyCredentials = @([ordered]@{ keyId = '6f6f6f6f-0000-4000-8000-0000000000a2'; type = 'AsymmetricX509Cert'; usage = 'Verify'; endDateTime = (& $iso $today.AddDays(5)) }); passwordCredentials = @() }

        $template = $scenario.resources | Where-Object name -eq 'keyvault-sp-secret-expired'
        $oauthTemplate = $scenario.resources | Where-Object name -eq 'office365-unused'
        $workflowTemplate = $scenario.resources | Where-Object name -eq 'wf-secret-rotation'
        $copy = { param($o) $o | ConvertTo-Json -Depth 100 | ConvertFrom-Json -Depth 100 }
        foreach ($pair in @(@('sp-edge-a', 'app-edge-expired'), @('sp-edge-b', 'app-edge-expired'), @('sp-edge-day30', 'app-edge-day30'))) {
            $c = & $copy $template
            $c.id = "$group/providers/Microsoft.Web/connections/$($pair[0])"; $c.name = $pair[0]; $c.properties.displayName = $pair[0]
            $c.properties.nonSecretParameterValues.'token:clientId' = $apps[$pair[1]]
            $c.properties.statuses = @(@{ status = 'Connected' }); $c.properties.overallStatus = 'Connected'
            $c.properties.testLinks = @(); $c.properties.testRequests = @()
            $scenario.resources += $c
        }
        foreach ($spec in @(@('office365-edge-idle', -80), @('office365-edge-busy', -200))) {
            $c = & $copy $oauthTemplate
            $c.id = "$group/providers/Microsoft.Web/connections/$($spec[0])"; $c.name = $spec[0]; $c.properties.displayName = $spec[0]
            $c.properties.changedTime = & $iso $now.AddDays($spec[1]); $c.properties.createdTime = & $iso $now.AddDays(-400)
            $c.properties.testLinks = @(); $c.properties.testRequests = @()
            $scenario.resources += $c
        }
        $w = & $copy $workflowTemplate
        $w.id = "$group/providers/Microsoft.Logic/workflows/wf-edge-busy"; $w.name = 'wf-edge-busy'
        $w.properties.definition.actions = [pscustomobject]@{ Send_mail = [pscustomobject]@{ runAfter = @{}; type = 'ApiConnection'; inputs = @{ host = @{ connection = @{ name = "@parameters('`$connections')['office365']['connectionId']" } }; method = 'post'; path = '/v2/Mail' } } }
        $w.properties.parameters.'$connections'.value = [pscustomobject]@{ office365 = @{ connectionId = "$group/providers/Microsoft.Web/connections/office365-edge-busy"; connectionName = 'office365-edge-busy'; id = "/subscriptions/$prod/providers/Microsoft.Web/locations/westeurope/managedApis/office365" } }
        $scenario.resources += $w
        $scenario | ConvertTo-Json -Depth 100 | Set-Content -Path $Path
        @{ Now = $now; Apps = $apps }
    }

    function Invoke-InSandbox([object] $Target, [scriptblock] $Script) {
        $parameters = Get-SandboxConnectParameters $Target
        Connect-LogicAppAuth @parameters | Out-Null
        try { & $Script } finally { Connect-LogicAppAuth @connect | Out-Null }
    }
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Get-ExpiringCredential against the contoso tenant' {
    It 'emits flat ExpiringCredential rows sorted by EndDateTime' {
        $rows.Count | Should -BeGreaterThan 3
        $rows | ForEach-Object { $_ | Should -BeOfType ([LogicAppAuth.ExpiringCredential]) }
        foreach ($property in $rows[0].PSObject.Properties) {
            $property.TypeNameOfValue | Should -Match '^System\.(String|Int32|Boolean|DateTimeOffset|Nullable.*DateTimeOffset.*)$|^LogicAppAuth\.'
        }
        $ends = $rows.EndDateTime
        ($ends | Sort-Object) -join '|' | Should -Be ($ends -join '|')
    }

    It 'lists expired secrets and certificates and those ending within 30 days, and nothing later' {
        $secret = Row 'app-logic-keyvault-reader'
        $secret.Kind | Should -Be 'Secret'
        $secret.Expired | Should -BeTrue
        $secret.DaysRemaining | Should -BeLessThan 0
        $secret.CredentialId | Should -Be '0f1e2d3c-aaaa-4b5a-8c7d-6e5f4a3b2c01'
        $secret.EstimateBasis | Should -Be 'Graph'
        (Row 'app-logic-blob-export').Kind | Should -Be 'Certificate'
        $soon = Row 'app-reporting-sql'
        $soon.Expired | Should -BeFalse
        $soonEnds = Get-ScenarioTime $sandbox '2026-12-20T00:00:00Z'
        $soon.EndDateTime | Should -Be $soonEnds
        $soon.DaysRemaining | Should -Be ([int]($soonEnds.UtcDateTime.Date - [DateTimeOffset]::UtcNow.UtcDateTime.Date).TotalDays)
        Row 'sp-logicappauth-admin' | Should -BeNullOrEmpty
    }

    It 'links each app credential to the connections that sign in as the app (token:clientId)' {
        $secret = Row 'app-logic-keyvault-reader'
        $secret.UsedBy | Should -Be 'keyvault-sp-secret-expired'
        $secret.UsedByCount | Should -Be 1
        $secret.UsedByResourceId | Should -Be "$group/providers/Microsoft.Web/connections/keyvault-sp-secret-expired"
        (Row 'app-logic-blob-export').UsedBy | Should -Be 'azureblob-sp-cert-expired'
        (Row 'app-reporting-sql').UsedByCount | Should -Be 0
        $secret.ResourceId | Should -Be "/applications/$($secret.ObjectId)"
        $secret.SubscriptionId | Should -Be ''
        $secret.ResourceGroupName | Should -Be ''
        $secret.Name | Should -Be 'app-logic-keyvault-reader'
        $secret.Source | Should -Be 'Application'
    }

    It 'adds OAuthConsent rows for OAuth connections whose refresh token is dead or will lapse' {
        $expired = Connection 'office365-expired'
        $expired.Expired | Should -BeTrue
        $expired.EstimateBasis | Should -Be 'ConnectionStatus'
        $expired.Detail | Should -Match 'AADSTS700082'
        $expired.ResourceId | Should -Be "$group/providers/Microsoft.Web/connections/office365-expired"
        $expired.SubscriptionId | Should -Be $prod
        $expired.ResourceGroupName | Should -Be 'rg-integration'
        $expired.UsedBy | Should -Be 'office365-expired'
        $expired.ApiName | Should -Be 'office365'
        $expired.AuthenticatedUser | Should -Match '@'
        Connection 'teams-unauthenticated' | Should -BeNullOrEmpty
        Connection 'office365-healthy' | Should -BeNullOrEmpty
    }

    It 'estimates from the later of the last successful run and changedTime, and states the basis' {
        # wf-invoice-approval last succeeded ten days ago (its SharePoint action fails since); the connection changed after that.
        $healthy = @(Get-ExpiringCredential -WithinDays 120 -Kind OAuthConsent -DisplayName 'office365-healthy')
        $healthy.Count | Should -Be 1
        $healthy[0].EstimateBasis | Should -Be 'ChangedTime'
        $healthy[0].Detail | Should -Match 'after the last successful run'
        $healthy[0].EndDateTime | Should -Be (Get-ScenarioTime $sandbox '2026-11-20T08:12:33.4521873Z').AddDays(90)
        $healthy[0].Expired | Should -BeFalse
    }

    It '-ExcludeExpired drops what has already expired' {
        $future = @(Get-ExpiringCredential -ExcludeExpired)
        $future | Where-Object Expired | Should -BeNullOrEmpty
        $future.DisplayName | Should -Contain 'app-reporting-sql'
        $future.DisplayName | Should -Not -Contain 'app-logic-keyvault-reader'
    }

    It '-AppId asks Graph for that app only; -DisplayName takes wildcards; -Kind filters' {
        Clear-SandboxRequestLog $sandbox
        $one = @(Get-ExpiringCredential -AppId '7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3')
        $one.Count | Should -Be 1
        $one[0].DisplayName | Should -Be 'app-logic-keyvault-reader'
        $graphQueries = @(Get-SandboxRequestLog $sandbox | Where-Object Path -eq '/v1.0/applications')
        $graphQueries.Count | Should -Be 1
        [uri]::UnescapeDataString($graphQueries[0].query) | Should -Match "appId in \('7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3'\)"
        $graphQueries[0].query | Should -Match '\$top=999'
        $graphQueries[0].query | Should -Match '\$select='
        @(Get-ExpiringCredential -DisplayName 'app-logic-*').DisplayName | Sort-Object | Should -Be @('app-logic-blob-export', 'app-logic-keyvault-reader')
        @(Get-ExpiringCredential -Kind Certificate).DisplayName | Should -Be @('app-logic-blob-export')
    }

    It 'reads only the scope piped in, as Get-AzResourceGroup objects give it' {
        Clear-SandboxRequestLog $sandbox
        $scoped = @([pscustomobject]@{ ResourceGroupName = 'rg-integration'; ResourceId = $group; Location = 'westeurope' } | Get-ExpiringCredential)
        (Row 'app-logic-keyvault-reader').UsedBy | Should -Be ($scoped | Where-Object DisplayName -eq 'app-logic-keyvault-reader').UsedBy
        $log = @(Get-SandboxRequestLog $sandbox)
        $log | Where-Object Path -like '*/providers/Microsoft.ResourceGraph/*' | Should -BeNullOrEmpty
        $log | Where-Object Path -like '*/resourceGroups/rg-standard/*' | Should -BeNullOrEmpty
    }

    It '-NoConnectionScan reads Graph only' {
        Clear-SandboxRequestLog $sandbox
        $graphOnly = @(Get-ExpiringCredential -NoConnectionScan)
        $graphOnly.Kind | Should -Not -Contain 'OAuthConsent'
        ($graphOnly | Where-Object DisplayName -eq 'app-logic-keyvault-reader').UsedBy | Should -Be ''
        Get-SandboxRequestLog $sandbox | Where-Object Path -like '/subscriptions*' | Should -BeNullOrEmpty
    }

    It 'pipes into Export-Csv and ConvertTo-Json without flattening' {
        $csv = Join-Path $TestDrive 'expiring.csv'
        $rows | Export-Csv -Path $csv -NoTypeInformation
        $back = @(Import-Csv $csv)
        $back.Count | Should -Be $rows.Count
        ($back | Where-Object DisplayName -eq 'app-logic-keyvault-reader').UsedBy | Should -Be 'keyvault-sp-secret-expired'
        $json = $rows | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $json[0].Kind | Should -BeIn 'Secret', 'Certificate', 'OAuthConsent'
    }

    It 'has a default table view' {
        $text = $rows | Format-Table | Out-String -Width 250
        $text | Should -Match 'Kind'
        $text | Should -Match 'DaysRemaining'
        $text | Should -Match 'UsedBy'
    }

    It 'without a Graph credential reports NoGraphCredential and still lists OAuth connections' {
        $parameters = Get-SandboxConnectParameters $sandbox -As None
        $parameters.AccessToken = $sandbox.accessToken
        Connect-LogicAppAuth @parameters | Out-Null
        try {
            $partial = @(Get-ExpiringCredential -ErrorVariable failures -ErrorAction SilentlyContinue)
            $failures.FullyQualifiedErrorId | Should -Contain 'NoGraphCredential,LogicAppAuth.Commands.GetExpiringCredentialCommand'
            # Nothing from Graph; what the connections themselves tell (OAuth refresh tokens, built-in connections' signatures) is still listed.
            $partial.Kind | Sort-Object -Unique | Should -Be 'OAuthConsent', 'SharedAccessSignature'
        }
        finally { Connect-LogicAppAuth @connect | Out-Null }
    }

    It 'never writes a secret or token' {
        $text = ($rows | ConvertTo-Json -Depth 3) + (Get-ExpiringCredential -Verbose 4>&1 | Out-String)
        $text | Should -Not -Match ([regex]::Escape($sandbox.principals.admin.clientSecret))
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
    }
}

Describe 'Get-ExpiringCredential at the window edges, with paging and throttling' {
    BeforeAll {
        $scenarioPath = Join-Path $TestDrive 'expiry-edges.json'
        $edge = New-EdgeScenario -Path $scenarioPath
        $plain = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario $scenarioPath -Now $edge.Now
        $paged = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario $scenarioPath -Now $edge.Now -ExtraArguments '--page-size', '1'
        $throttled = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario $scenarioPath -Now $edge.Now -ExtraArguments '--page-size', '1', '--graph-throttle-every', '4'
        $edgeRows = Invoke-InSandbox $plain { @(Get-ExpiringCredential -DisplayName '*edge*') }
        function Edge([string] $DisplayName) { $edgeRows | Where-Object DisplayName -eq $DisplayName }
        function Key($list) { ($list | ForEach-Object { '{0}|{1}|{2}|{3}|{4}' -f $_.Kind, $_.DisplayName, $_.CredentialId, $_.EndDateTime.ToString('o'), $_.UsedBy }) -join "`n" }
    }
    AfterAll { $plain, $paged, $throttled | Where-Object { $_ } | Stop-LogicAppAuthSandbox }

    It 'keeps a credential that expired yesterday, with negative DaysRemaining' {
        $row = Edge 'app-edge-expired'
        $row.Expired | Should -BeTrue
        $row.DaysRemaining | Should -Be -1
    }

    It 'keeps a credential that ends later today: DaysRemaining 0, not yet expired' {
        $row = Edge 'app-edge-today'
        $row.Expired | Should -BeFalse
        $row.DaysRemaining | Should -Be 0
    }

    It 'keeps day 30 and leaves out day 31 (the window is -WithinDays whole days)' {
        (Edge 'app-edge-day30').DaysRemaining | Should -Be 30
        (Edge 'app-edge-day30').Kind | Should -Be 'Certificate'
        Edge 'app-edge-day31' | Should -BeNullOrEmpty
        $wider = Invoke-InSandbox $plain { @(Get-ExpiringCredential -WithinDays 31 -DisplayName 'app-edge-day31') }
        $wider.DaysRemaining | Should -Be 31
        $narrower = Invoke-InSandbox $plain { @(Get-ExpiringCredential -WithinDays 0 -DisplayName 'app-edge-*') }
        $narrower.DisplayName | Should -Be @('app-edge-expired', 'app-edge-today')
    }

    It '-ExcludeExpired drops yesterday and keeps today' {
        $future = Invoke-InSandbox $plain { @(Get-ExpiringCredential -ExcludeExpired -DisplayName 'app-edge-*') }
        $future.DisplayName | Should -Be @('app-edge-today', 'app-edge-day30')
    }

    It 'links one app to every connection that signs in as it' {
        $row = Edge 'app-edge-expired'
        $row.UsedBy | Should -Be 'sp-edge-a;sp-edge-b'
        $row.UsedByCount | Should -Be 2
        (Edge 'app-edge-day30').UsedBy | Should -Be 'sp-edge-day30'
    }

    It 'lists service principal credentials, but not the certificates Azure rotates for managed identities' {
        $row = Edge 'sp-edge-saml'
        $row.Source | Should -Be 'ServicePrincipal'
        $row.ResourceId | Should -Be '/servicePrincipals/8b8b8b8b-0000-4000-8000-000000000001'
        $row.DaysRemaining | Should -Be 10
        Edge 'mi-edge' | Should -BeNullOrEmpty
    }

    It 'estimates an unused OAuth connection from changedTime and a busy one from run history' {
        $idle = $edgeRows | Where-Object Name -eq 'office365-edge-idle'
        $idle.EstimateBasis | Should -Be 'ChangedTime'
        $idle.DaysRemaining | Should -BeIn 9, 10, 11
        $idle.EndDateTime | Should -BeGreaterThan $edge.Now.AddDays(9)
        $edgeRows | Where-Object Name -eq 'office365-edge-busy' | Should -BeNullOrEmpty
        $busy = Invoke-InSandbox $plain { @(Get-ExpiringCredential -WithinDays 120 -DisplayName 'office365-edge-busy') }
        $busy.Count | Should -Be 1
        $busy[0].EstimateBasis | Should -Be 'RunHistory'
        $busy[0].Detail | Should -Match 'wf-edge-busy'
        $busy[0].EndDateTime | Should -BeGreaterThan $edge.Now.AddDays(89)
        $busy[0].EndDateTime | Should -BeLessOrEqual $edge.Now.AddDays(90)
    }

    It 'is sorted by EndDateTime' {
        $edgeRows.DisplayName | Select-Object -First 2 | Should -Be @('app-edge-expired', 'app-edge-today')
        (Key ($edgeRows | Sort-Object EndDateTime)) | Should -Be (Key $edgeRows)
    }

    It 'follows @odata.nextLink through pages of one object and gets the same rows' {
        Clear-SandboxRequestLog $paged
        $pagedRows = Invoke-InSandbox $paged { @(Get-ExpiringCredential -DisplayName '*edge*') }
        (Key $pagedRows) | Should -Be (Key $edgeRows)
        $pages = @(Get-SandboxRequestLog $paged | Where-Object { $_.Path -eq '/v1.0/applications' })
        $applications = (Get-Content $scenarioPath -Raw | ConvertFrom-Json -Depth 100).graph.applications.Count
        $pages.Count | Should -Be ($applications + 0)
        @($pages | Where-Object query -match 'skiptoken').Count | Should -Be ($applications - 1)
    }

    It 'waits out a 429 with Retry-After in the middle of paging and still gets every row' {
        Clear-SandboxRequestLog $throttled
        $throttledRows = Invoke-InSandbox $throttled { @(Get-ExpiringCredential -DisplayName '*edge*') }
        (Key $throttledRows) | Should -Be (Key $edgeRows)
        $graphLog = @(Get-SandboxRequestLog $throttled | Where-Object { $_.Path -in '/v1.0/applications', '/v1.0/servicePrincipals' })
        @($graphLog | Where-Object status -eq 429).Count | Should -BeGreaterThan 1
        @($graphLog | Where-Object { $_.status -eq 429 -and $_.query -match 'skiptoken' }).Count | Should -BeGreaterThan 0
    }
}
