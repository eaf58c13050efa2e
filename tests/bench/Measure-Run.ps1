# Runs one benchmark subject in this (fresh) pwsh and prints a JSON line: rows, wall time, time to the first row,
# and this process's peak working set.
param(
    [Parameter(Mandatory)] [ValidateSet('ModuleInventory', 'BaselineInventory', 'ModuleDiagnose', 'BaselineDiagnose', 'ModuleExpiry')] [string] $Subject,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [string] $ModulePath
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
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$first = $null
$rows = 0
$summary = ''
& $command | ForEach-Object {
    if ($_ -is [System.Management.Automation.VerboseRecord]) { if ($_.Message -like 'Diagnosed *') { $summary = $_.Message }; return }
    if ($rows -eq 0) { $first = $watch.Elapsed.TotalSeconds }; $rows++
}
$watch.Stop()
$process = [System.Diagnostics.Process]::GetCurrentProcess()
$process.Refresh()
[pscustomobject]@{
    Subject         = $Subject
    Rows            = $rows
    Seconds         = [math]::Round($watch.Elapsed.TotalSeconds, 2)
    FirstRowSeconds = [math]::Round($first, 2)
    PeakWorkingSetMB = [math]::Round($process.PeakWorkingSet64 / 1MB)
    Summary         = $summary
} | ConvertTo-Json -Compress
