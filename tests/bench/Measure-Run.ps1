# Runs one benchmark subject in this (fresh) pwsh and prints a JSON line: rows, wall time, time to the first row,
# and this process's peak working set.
param(
    [Parameter(Mandatory)] [ValidateSet('ModuleInventory', 'BaselineInventory', 'ModuleDiagnose', 'BaselineDiagnose', 'ModuleExpiry')] [string] $Subject,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [string] $ModulePath,
    # Run the command this many more times in the same process and report the median of those runs too (requests are
    # then counted for the last run alone).
    [int] $WarmRuns = 0
)
$ErrorActionPreference = 'Stop'
$ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
$command = switch ($Subject) {
    'ModuleInventory' {
        Import-Module $ModulePath
        Connect-LogicAppAuth -AccessToken $ready.accessToken -ResourceManagerUrl $ready.resourceManagerUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
        { Get-LogicConnectorStatus }
    }
    'BaselineInventory' { { & (Join-Path $PSScriptRoot 'Baseline-Inventory.ps1') -ReadyFile $ReadyFile } }
    'ModuleDiagnose' {
        Import-Module $ModulePath
        Connect-LogicAppAuth -AccessToken $ready.accessToken -MicrosoftGraphAccessToken $ready.microsoftGraphAccessToken -ResourceManagerUrl $ready.resourceManagerUrl `
            -GraphUrl $ready.graphUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
        { Test-LogicConnectorAuth -WarningAction SilentlyContinue -Verbose 4>&1 }
    }
    'BaselineDiagnose' { { & (Join-Path $PSScriptRoot 'Baseline-Diagnose.ps1') -ReadyFile $ReadyFile } }
    'ModuleExpiry' {
        Import-Module $ModulePath
        Connect-LogicAppAuth -AccessToken $ready.accessToken -MicrosoftGraphAccessToken $ready.microsoftGraphAccessToken -ResourceManagerUrl $ready.resourceManagerUrl `
            -GraphUrl $ready.graphUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
        { Get-ExpiringCredential -WarningAction SilentlyContinue }
    }
}
function Measure-Subject([scriptblock] $Command) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $result = @{ Rows = 0; First = $null; Summary = '' }
    & $Command | ForEach-Object {
        if ($_ -is [System.Management.Automation.VerboseRecord]) { if ($_.Message -like 'Diagnosed *') { $result.Summary = $_.Message }; return }
        if ($result.Rows -eq 0) { $result.First = $watch.Elapsed.TotalSeconds }; $result.Rows++
    }
    $result.Seconds = $watch.Elapsed.TotalSeconds
    [pscustomobject] $result
}

$cold = Measure-Subject $command
$warm = @()
if ($WarmRuns -gt 0) { Import-Module (Join-Path $PSScriptRoot '../../tools/Sandbox.psm1') }
for ($i = 0; $i -lt $WarmRuns; $i++) {
    # The same command again in this process, once JIT compilation and connection set-up are behind both processes.
    # Resource Graph allows 15 queries per user per 5-second window and a run spends most of it: each run starts in a
    # fresh window, as a later run would, rather than measure the wait for the quota.
    Start-Sleep -Seconds 6
    Clear-SandboxRequestLog -Sandbox $ready
    $warm += Measure-Subject $command
}
function Get-Median([double[]] $Values) { $sorted = $Values | Sort-Object; $sorted[[math]::Floor(($sorted.Count - 1) / 2)] }
$process = [System.Diagnostics.Process]::GetCurrentProcess()
$process.Refresh()
[pscustomobject]@{
    Subject              = $Subject
    Rows                 = $cold.Rows
    Seconds              = [math]::Round($cold.Seconds, 2)
    FirstRowSeconds      = [math]::Round($cold.First, 2)
    WarmSeconds          = if ($warm) { [math]::Round((Get-Median $warm.Seconds), 2) } else { $null }
    WarmFirstRowSeconds  = if ($warm) { [math]::Round((Get-Median $warm.First), 2) } else { $null }
    WarmRuns             = ($warm | ForEach-Object { [math]::Round($_.Seconds, 2) }) -join ' / '
    PeakWorkingSetMB     = [math]::Round($process.PeakWorkingSet64 / 1MB)
    Summary              = $cold.Summary
} | ConvertTo-Json -Compress
