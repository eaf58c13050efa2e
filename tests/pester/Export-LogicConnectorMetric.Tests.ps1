BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null

    function Read-PromFile([string] $Path) {
        <# A small reader of the Prometheus text format: HELP/TYPE per family, and one object per sample line. #>
        $types = @{}; $samples = @()
        foreach ($line in Get-Content $Path) {
            if ($line -match '^# TYPE (\S+) (counter|gauge)$') { $types[$Matches[1]] = $Matches[2]; continue }
            if ($line -match '^# HELP \S+ .+$' -or $line -eq '') { continue }
            if ($line -notmatch '^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN|[+-]Inf)$') { throw "Not a Prometheus sample line: $line" }
            $labels = @{}
            foreach ($m in [regex]::Matches($Matches.labels + '', '(\w+)="((?:[^"\\]|\\.)*)"')) { $labels[$m.Groups[1].Value] = $m.Groups[2].Value }
            $samples += [pscustomobject]@{ Name = $Matches.name; Labels = $labels; Value = [double]::Parse($Matches.value, [Globalization.CultureInfo]::InvariantCulture) }
        }
        [pscustomobject]@{ Types = $types; Samples = $samples }
    }
    function Sample($File, [string] $Name, [string] $Connection) { $File.Samples | Where-Object { $_.Name -eq $Name -and $_.Labels.connection -eq $Connection } }

    $folder = Join-Path $TestDrive 'textfile'
    $path = Join-Path $folder 'logicapps.prom'
    Export-LogicConnectorMetric -Path $path -ResourceGroupName rg-integration -SubscriptionId $prod
    $first = Read-PromFile $path
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Export-LogicConnectorMetric' {
    It 'writes a file that parses as the Prometheus text format, with a TYPE for every family' {
        $first.Samples.Count | Should -BeGreaterThan 10
        $first.Samples.Name | Sort-Object -Unique | ForEach-Object { $first.Types[$_] | Should -BeIn 'counter', 'gauge' }
        $first.Types['azure_logicapp_auth_failures_total'] | Should -Be 'counter'
        $first.Types['azure_logicapp_connection_connected'] | Should -Be 'gauge'
        Get-Content $path -Raw | Should -Not -Match "`r"
    }

    It 'has a status gauge and an auth-failure gauge per connection' {
        (Sample $first 'azure_logicapp_connection_connected' 'office365-healthy').Value | Should -Be 1
        (Sample $first 'azure_logicapp_connection_connected' 'office365-expired').Value | Should -Be 0
        (Sample $first 'azure_logicapp_connection_auth_failure' 'office365-expired').Value | Should -Be 1
        (Sample $first 'azure_logicapp_connection_auth_failure' 'office365-healthy').Value | Should -Be 0
        $labels = (Sample $first 'azure_logicapp_connection_connected' 'office365-expired').Labels
        $labels.subscription_id | Should -Be $prod
        $labels.resource_group | Should -Be 'rg-integration'
        $labels.api | Should -Be 'office365'
        $labels.auth_type | Should -Be 'OAuth'
        $labels.status | Should -Be 'Error'
        (Sample $first 'azure_logicapp_connection_connected' 'office365-deleted').Labels.status | Should -Be 'NotFound'
    }

    It 'has the days left on the credential each connection depends on' {
        $secret = Sample $first 'azure_logicapp_connection_credential_expiry_days' 'keyvault-sp-secret-expired'
        $secret.Value | Should -BeLessThan -300
        $secret.Labels.basis | Should -Be 'Graph'
        $oauth = Sample $first 'azure_logicapp_connection_credential_expiry_days' 'office365-healthy'
        $oauth.Value | Should -BeGreaterThan 60
        $oauth.Labels.basis | Should -BeIn 'RunHistory', 'ChangedTime'
        Sample $first 'azure_logicapp_connection_credential_expiry_days' 'azureblob-mi' | Should -BeNullOrEmpty
    }

    It 'counts authentication failures from run history, so that rate(azure_logicapp_auth_failures_total[5m]) works' {
        (Sample $first 'azure_logicapp_auth_failures_total' 'office365-expired').Value | Should -Be 1
        (Sample $first 'azure_logicapp_auth_failures_total' 'keyvault-sp-secret-expired').Value | Should -Be 1
        (Sample $first 'azure_logicapp_auth_failures_total' 'office365-healthy').Value | Should -Be 0
        ($first.Samples | Where-Object Name -eq 'azure_logicapp_auth_failures_scanned_until_timestamp_seconds').Value |
            Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(-5).ToUnixTimeSeconds())
    }

    It 'keeps the counter growing across exports: runs already counted are not counted again' {
        Start-Sleep -Milliseconds 1100
        Export-LogicConnectorMetric -Path $path -ResourceGroupName rg-integration -SubscriptionId $prod
        $second = Read-PromFile $path
        foreach ($counter in $first.Samples | Where-Object Name -eq 'azure_logicapp_auth_failures_total') {
            $again = Sample $second 'azure_logicapp_auth_failures_total' $counter.Labels.connection
            $again.Value | Should -Be $counter.Value
        }
        ($second.Samples | Where-Object Name -eq 'azure_logicapp_auth_failures_scanned_until_timestamp_seconds').Value |
            Should -BeGreaterThan ($first.Samples | Where-Object Name -eq 'azure_logicapp_auth_failures_scanned_until_timestamp_seconds').Value
    }

    It 'writes atomically: no temporary file is left, and readers never see a partial file' {
        Get-ChildItem $folder -Force | Select-Object -ExpandProperty Name | Should -Be 'logicapps.prom'
        $reader = Start-ThreadJob -ScriptBlock {
            param($p) $bad = 0
            for ($i = 0; $i -lt 400; $i++) { $t = [IO.File]::ReadAllText($p); if (-not $t.EndsWith("`n") -or $t -notmatch 'scanned_until_timestamp_seconds \d') { $bad++ } }
            $bad
        } -ArgumentList $path
        1..2 | ForEach-Object { Export-LogicConnectorMetric -Path $path -ResourceGroupName rg-integration -SubscriptionId $prod -NoRunHistory }
        $reader | Wait-Job | Receive-Job | Should -Be 0
    }

    It '-WhatIf writes nothing' {
        $other = Join-Path $TestDrive 'whatif.prom'
        Export-LogicConnectorMetric -Path $other -ResourceGroupName rg-integration -SubscriptionId $prod -WhatIf
        Test-Path $other | Should -BeFalse
    }

    It 'takes resource groups piped from Get-AzResourceGroup' {
        $piped = Join-Path $TestDrive 'piped.prom'
        [pscustomobject]@{ ResourceGroupName = 'rg-integration'; ResourceId = "/subscriptions/$prod/resourceGroups/rg-integration" } | Export-LogicConnectorMetric -Path $piped -NoRunHistory
        (Read-PromFile $piped).Samples | Where-Object Name -eq 'azure_logicapp_connection_connected' | Should -Not -BeNullOrEmpty
    }
}
