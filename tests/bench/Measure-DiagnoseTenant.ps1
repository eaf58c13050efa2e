# Case diagnose-tenant: in this (fresh) pwsh, Test-LogicConnectorAuth over the whole tenant, then Get-LogicConnectorStatus
# over it, and prints a JSON line: each one's wall time and rows, the diagnosis's Graph requests (sandbox log) and
# its own count of distinct Graph look-ups (-Verbose summary), and this process's peak working set.
# One untimed listing first warms what both share (JIT of the HTTP stack and the inventory, connections, the sandbox);
# the diagnosis then runs first of the two timed calls, so that it pays for compiling its own code.
param(
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $ModulePath
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../tools/Sandbox.psm1')
$ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
Import-Module $ModulePath
Connect-LogicAppAuth -AccessToken $ready.accessToken -MicrosoftGraphAccessToken $ready.microsoftGraphAccessToken -ResourceManagerUrl $ready.resourceManagerUrl `
    -GraphUrl $ready.graphUrl -TrustedCertificatePath $ready.certificatePath | Out-Null

$null = Get-LogicConnectorStatus -WarningAction SilentlyContinue
Start-Sleep -Seconds 6

Clear-SandboxRequestLog -Sandbox $ready
$summary = ''
$diagnosisRows = 0
$watch = [System.Diagnostics.Stopwatch]::StartNew()
Test-LogicConnectorAuth -WarningAction SilentlyContinue -Verbose 4>&1 | ForEach-Object {
    if ($_ -is [System.Management.Automation.VerboseRecord]) { if ($_.Message -like 'Diagnosed *') { $summary = $_.Message }; return }
    $diagnosisRows++
}
$diagnosisSeconds = $watch.Elapsed.TotalSeconds
$log = @(Get-SandboxRequestLog -Sandbox $ready -Clear)
$diagnosisGraph = @($log | Where-Object { $_.path -like '/v1.0/*' }).Count

# Resource Graph allows 15 queries per 5-second window: the inventory starts in a fresh one.
Start-Sleep -Seconds 6
Clear-SandboxRequestLog -Sandbox $ready
$watch.Restart()
$inventoryRows = @(Get-LogicConnectorStatus -WarningAction SilentlyContinue).Count
$inventorySeconds = $watch.Elapsed.TotalSeconds
$inventoryRequests = @(Get-SandboxRequestLog -Sandbox $ready).Count

$process = [System.Diagnostics.Process]::GetCurrentProcess()
$process.Refresh()
[pscustomobject]@{
    DiagnosisRows      = $diagnosisRows
    DiagnosisSeconds   = [math]::Round($diagnosisSeconds, 2)
    DiagnosisRequests  = $log.Count
    DiagnosisGraph     = $diagnosisGraph
    InventoryRows      = $inventoryRows
    InventorySeconds   = [math]::Round($inventorySeconds, 2)
    InventoryRequests  = $inventoryRequests
    PeakWorkingSetMB   = [math]::Round($process.PeakWorkingSet64 / 1MB)
    Summary            = $summary
} | ConvertTo-Json -Compress
