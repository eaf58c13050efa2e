# Reliability under the sandbox's --faults profiles (src/LogicAppAuth.Sandbox/Faults): inventory and diagnosis of a
# generated tenant return exactly the rows of a fault-free run, with no error, while the request log shows the faults
# and their retries. Then cancellation: a stopped inventory returns within 2 s and sends nothing afterwards.
BeforeDiscovery {
    $script:profiles = @(
        @{ Faults = 'throttle'; As = 'AccessToken'; Retried = $true }
        @{ Faults = 'server-errors'; As = 'AccessToken'; Retried = $true }
        @{ Faults = 'resets'; As = 'AccessToken'; Retried = $true }
        @{ Faults = 'arg-quota'; As = 'AccessToken'; Retried = $false }
        @{ Faults = 'short-tokens'; As = 'ServicePrincipal'; Retried = $false }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    # 2,000 connections over two subscriptions; the generator is deterministic, so every sandbox serves the same tenant.
    $script:tenant = @('--generate', 'subscriptions=2,connections=2000,workflows=600,standardApps=20', '--resource-graph-quota', '1000')

    function Start-FaultSandbox([string[]] $Arguments) {
        Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario '' -ExtraArguments ($script:tenant + $Arguments)
    }
    function Snapshot($Rows) {
        $Rows | Sort-Object ResourceId, { $_ | ConvertTo-Json -Compress -EnumsAsStrings } | ConvertTo-Json -EnumsAsStrings
    }
    function Snapshot-Diagnosis($Rows) {
        Snapshot ($Rows | Select-Object ResourceId, Cause, AllCauses)
    }
    function Invoke-Inventory($Sandbox, [string] $As) {
        $parameters = Get-SandboxConnectParameters $Sandbox -As $As
        Connect-LogicAppAuth @parameters | Out-Null
        $status = @(Get-LogicConnectorStatus -ErrorVariable statusErrors -ErrorAction SilentlyContinue)
        $diagnosis = @(Test-LogicConnectorAuth -ErrorVariable testErrors -ErrorAction SilentlyContinue)
        [pscustomobject]@{ Status = $status; Diagnosis = $diagnosis; Errors = @($statusErrors) + @($testErrors) }
    }

    $clean = Start-FaultSandbox @()
    try {
        $script:baseline = Invoke-Inventory $clean 'AccessToken'
    }
    finally {
        $clean | Stop-LogicAppAuthSandbox
        Disconnect-LogicAppAuth
    }
    $script:baselineStatus = Snapshot $baseline.Status
    $script:baselineDiagnosis = Snapshot-Diagnosis $baseline.Diagnosis
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'The fault-free run' {
    It 'lists the whole generated tenant without error' {
        $baseline.Errors | Should -BeNullOrEmpty
        $baseline.Status.Count | Should -BeGreaterOrEqual 2000
        $baseline.Diagnosis.Count | Should -BeGreaterOrEqual 2000
    }
}

Describe 'Inventory and diagnosis under faults' {
    It '<Faults>: the same rows as the fault-free run, no error, and the faults are in the request log' -ForEach $profiles {
        $sandbox = Start-FaultSandbox @('--faults', $Faults)
        try {
            $run = Invoke-Inventory $sandbox $As
            $log = @(Get-SandboxRequestLog $sandbox)
        }
        finally {
            $sandbox | Stop-LogicAppAuthSandbox
            Disconnect-LogicAppAuth
        }

        $run.Errors | ForEach-Object { "$_" } | Should -BeNullOrEmpty
        $run.Status.Count | Should -Be $baseline.Status.Count
        Snapshot $run.Status | Should -Be $baselineStatus
        $run.Diagnosis.Count | Should -Be $baseline.Diagnosis.Count
        Snapshot-Diagnosis $run.Diagnosis | Should -Be $baselineDiagnosis

        $faulted = @($log | Where-Object fault)
        $kinds = ($faulted | Group-Object fault | ForEach-Object { "$($_.Name) x$($_.Count)" }) -join ', '
        Write-Host "    ${Faults}: $($run.Status.Count) status rows, $($run.Diagnosis.Count) diagnosis rows; $($log.Count) requests, faults: $kinds"
        $faulted.Count | Should -BeGreaterThan 0
        if ($Retried) {
            # Every request answered with a fault was sent again later and then answered without one.
            for ($i = 0; $i -lt $log.Count; $i++) {
                if (-not $log[$i].fault) { continue }
                $entry = $log[$i]
                $retry = $log | Select-Object -Skip ($i + 1) |
                    Where-Object { $_.method -eq $entry.method -and $_.path -eq $entry.path -and $_.query -eq $entry.query -and -not $_.fault } |
                    Select-Object -First 1
                $retry | Should -Not -BeNullOrEmpty -Because "$($entry.fault) on $($entry.method) $($entry.path)$($entry.query) must be retried"
                $retry.status | Should -BeLessThan 500
                $retry.status | Should -Not -Be 429
            }
        }
        switch ($Faults) {
            'arg-quota' { $faulted.path | Sort-Object -Unique | Should -Be '/providers/Microsoft.ResourceGraph/resources' }
            # Tokens living 5 s are fetched again and again: many more than one per audience.
            'short-tokens' {
                $faulted | ForEach-Object { $_.fault | Should -Be 'short-token' }
                $faulted.Count | Should -BeGreaterThan 4
            }
        }
    }
}

Describe 'Cancellation' {
    It 'stops a long inventory within 2 s (like Ctrl+C) and sends no request afterwards' {
        $slow = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario '' -ExtraArguments '--generate', 'subscriptions=2,connections=2000,workflows=600,standardApps=20', '--latency-ms', '200', '--page-size', '20', '--resource-graph-quota', '1000'
        try {
            $result = Invoke-FreshPwsh -ArgumentList $ModulePath, $slow.ReadyFile, (Join-Path $PSScriptRoot '../../tools/Sandbox.psm1') -ScriptBlock {
                param($modulePath, $readyFile, $sandboxModule)
                $ErrorActionPreference = 'Stop'
                Import-Module $sandboxModule
                $ready = Get-Content $readyFile -Raw | ConvertFrom-Json
                $ps = [powershell]::Create()
                $null = $ps.AddScript({
                        param($modulePath, $ready)
                        Import-Module $modulePath
                        Connect-LogicAppAuth -ResourceManagerUrl $ready.resourceManagerUrl -GraphUrl $ready.graphUrl -AuthorityHost $ready.authorityHost `
                            -TrustedCertificatePath $ready.certificatePath -AccessToken $ready.accessToken -MicrosoftGraphAccessToken $ready.microsoftGraphAccessToken | Out-Null
                        Get-LogicConnectorStatus
                    }).AddArgument($modulePath).AddArgument($ready)
                $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
                $inputs = [System.Management.Automation.PSDataCollection[psobject]]::new()
                $handle = $ps.BeginInvoke($inputs, $output)
                $deadline = [DateTime]::UtcNow.AddSeconds(90)
                while ($output.Count -lt 1 -and -not $handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                $rowsBeforeStop = $output.Count
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $stopMs = $watch.ElapsedMilliseconds
                $state = $ps.InvocationStateInfo.State
                # Anything still running in this process after Stop would show up as requests in the sandbox log.
                Start-Sleep -Seconds 2
                $afterTwo = @(Get-SandboxRequestLog -Sandbox $ready).Count
                Start-Sleep -Seconds 3
                $afterFive = @(Get-SandboxRequestLog -Sandbox $ready).Count
                [pscustomobject]@{ RowsBeforeStop = $rowsBeforeStop; StopMs = $stopMs; State = "$state"; Completed = $handle.IsCompleted; AfterTwo = $afterTwo; AfterFive = $afterFive }
            }
            $result = @($result | Where-Object { $_.PSObject.Properties['StopMs'] })[0]
            $result | Should -Not -BeNullOrEmpty
            Write-Host "    $($result.RowsBeforeStop) rows before Stop; Stop took $($result.StopMs) ms; requests 2 s / 5 s after: $($result.AfterTwo) / $($result.AfterFive)"
            $result.RowsBeforeStop | Should -BeGreaterThan 0
            # Not finished on its own: the tenant takes far longer than the wait for the first row.
            $result.State | Should -Be 'Stopped'
            $result.StopMs | Should -BeLessThan 2000
            $result.AfterFive | Should -Be $result.AfterTwo
        }
        finally {
            $slow | Stop-LogicAppAuthSandbox
        }
    }
}
