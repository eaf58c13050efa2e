# build.ps1 -Task Bench: runs the benchmark cases against the sandbox and prints a table per case.
# Each subject runs in a fresh pwsh; request counts come from the sandbox's request log.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    [ValidateSet('inventory', 'diagnose', 'diagnose-tenant', 'expiry', 'report')] [string[]] $Case = @('inventory', 'diagnose', 'diagnose-tenant', 'expiry', 'report'),
    [switch] $SkipBaseline
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../tools/Sandbox.psm1')
$pwsh = Join-Path $PSHOME 'pwsh'

function Invoke-Subject($Sandbox, [string] $Subject, [int] $WarmRuns = 0) {
    Clear-SandboxRequestLog $Sandbox
    $json = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-Run.ps1') -Subject $Subject -ReadyFile $Sandbox.ReadyFile -ModulePath $ModulePath -WarmRuns $WarmRuns
    if ($LASTEXITCODE -ne 0) { throw "$Subject failed: $json" }
    $result = ($json | Select-Object -Last 1) | ConvertFrom-Json
    $log = @(Get-SandboxRequestLog $Sandbox)
    $result | Add-Member -NotePropertyName Requests -NotePropertyValue $log.Count
    $result | Add-Member -NotePropertyName GraphRequests -NotePropertyValue @($log | Where-Object { $_.path -like '/v1.0/*' }).Count -PassThru
}

if ('inventory' -in $Case) {
    $latencyMs = 50
    $size = @{ subscriptions = 10; connections = 10000; workflows = 3000; standardApps = 200 }
    $generate = ($size.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join ','
    $sandbox = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments @('--generate', $generate, '--latency-ms', $latencyMs) -Scenario ''
    try {
        $results = @(Invoke-Subject $sandbox 'ModuleInventory' -WarmRuns 3)
        if (-not $SkipBaseline) { $results += Invoke-Subject $sandbox 'BaselineInventory' }
    }
    finally { $sandbox | Stop-LogicAppAuthSandbox }

    # The fewest round trips that must happen one after another: the subscription list, then the longer of
    # (workflow/app pages + Standard app rounds) and (connection pages), all at 1,000 rows a page. A round of 32 apps
    # takes three: connections.json, then its app settings and workflow list, then the workflow files that name the
    # app's built-in connections (every generated app has some).
    $referencePages = [math]::Ceiling(($size.workflows + $size.standardApps) / 1000)
    $siteRounds = [math]::Ceiling($size.standardApps / 32) * 3
    $connectionPages = [math]::Ceiling($size.connections / 1000)
    $minimumSeconds = (1 + [math]::Max($referencePages + $siteRounds, $connectionPages)) * $latencyMs / 1000

    "inventory: $($size.subscriptions) subscriptions, $($size.connections) connections, $($size.workflows) workflows, $($size.standardApps) Standard apps, $latencyMs ms per request"
    $results | Format-Table Subject, Rows, Seconds, FirstRowSeconds, Requests, PeakWorkingSetMB | Out-String
    $module = $results | Where-Object Subject -eq 'ModuleInventory'
    # Seconds is the first call in a fresh pwsh (JIT compilation in both processes included); WarmSeconds the median of
    # three more calls in that process (Requests counts the last of them).
    "module, warm: median $($module.WarmSeconds) s (runs $($module.WarmRuns)), first row $($module.WarmFirstRowSeconds) s"
    $ratio = [math]::Round($module.WarmSeconds / $minimumSeconds, 1)
    "minimum sequential round trips x latency: $minimumSeconds s; module (warm) / minimum: ${ratio}x (target <= 2x: $(if ($ratio -le 2) { 'met' } else { 'MISSED' })); module (first call) / minimum: $([math]::Round($module.Seconds / $minimumSeconds, 1))x"
    $baseline = $results | Where-Object Subject -eq 'BaselineInventory'
    if ($baseline) { "baseline / module: $([math]::Round($baseline.Seconds / $module.Seconds, 1))x faster; requests $($baseline.Requests) vs $($module.Requests)" }
}

if ($Case -contains 'diagnose') {
    # Issue 4: 2,000 connections, 1,000 distinct users, 200 service principals, 50 ms per request.
    $latencyMs = 50
    $generate = 'subscriptions=2,connections=2000,workflows=600,standardApps=20,users=1000,applications=200,servicePrincipals=200'
    $sandbox = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments @('--generate', $generate, '--latency-ms', $latencyMs) -Scenario ''
    try {
        $results = @(Invoke-Subject $sandbox 'ModuleDiagnose')
        if (-not $SkipBaseline) { $results += Invoke-Subject $sandbox 'BaselineDiagnose' }
    }
    finally { $sandbox | Stop-LogicAppAuthSandbox }

    "diagnose: $generate, $latencyMs ms per request"
    $results | Format-Table Subject, Rows, Seconds, FirstRowSeconds, Requests, GraphRequests, PeakWorkingSetMB | Out-String
    $module = $results | Where-Object Subject -eq 'ModuleDiagnose'
    # The module's own count of distinct look-ups (users of OAuth connections, applications of service-principal
    # connections, one organization read), from its -Verbose summary.
    $lookups = if ($module.Summary -match '(\d+) distinct Graph look-up') { [int]$Matches[1] } else { 0 }
    $allowed = 1.1 * [math]::Ceiling($lookups / 20)
    "distinct Graph look-ups: $lookups; module Graph requests: $($module.GraphRequests) (target <= 1.1 x ceil(look-ups / 20) = $allowed): $(if ($module.GraphRequests -le $allowed) { 'met' } else { 'MISSED' })"
    $baseline = $results | Where-Object Subject -eq 'BaselineDiagnose'
    if ($baseline) {
        $speedup = [math]::Round($baseline.Seconds / $module.Seconds, 1)
        "baseline / module: ${speedup}x faster (target >= 20x: $(if ($speedup -ge 20) { 'met' } else { 'MISSED' })); requests $($baseline.Requests) vs $($module.Requests)"
    }
}

if ($Case -contains 'diagnose-tenant') {
    # Issue 13: the inventory's tenant (10 subscriptions, 10,000 connections, 3,000 workflows, 200 Standard apps) with
    # 5,000 users and 500 service principals, 50 ms per request; diagnosis and inventory of it in one process.
    $latencyMs = 50
    $generate = 'subscriptions=10,connections=10000,workflows=3000,standardApps=200,users=5000,applications=500,servicePrincipals=500'
    $sandbox = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments @('--generate', $generate, '--latency-ms', $latencyMs) -Scenario ''
    try {
        $json = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-DiagnoseTenant.ps1') -ReadyFile $sandbox.ReadyFile -ModulePath $ModulePath
        if ($LASTEXITCODE -ne 0) { throw "diagnose-tenant failed: $json" }
        $result = ($json | Select-Object -Last 1) | ConvertFrom-Json
    }
    finally { $sandbox | Stop-LogicAppAuthSandbox }

    "diagnose-tenant: $generate, $latencyMs ms per request (diagnosis first, then the inventory, in one pwsh)"
    $result | Format-List DiagnosisRows, DiagnosisSeconds, DiagnosisRequests, DiagnosisGraph, InventoryRows, InventorySeconds, InventoryRequests, PeakWorkingSetMB | Out-String
    $ratio = [math]::Round($result.DiagnosisSeconds / $result.InventorySeconds, 1)
    "diagnosis / inventory wall time: ${ratio}x (target <= 3x: $(if ($ratio -le 3) { 'met' } else { 'MISSED' }))"
    # As the diagnose case counts them: the module's own count of distinct look-ups, from its -Verbose summary.
    $lookups = if ($result.Summary -match '(\d+) distinct Graph look-up') { [int]$Matches[1] } else { 0 }
    $allowed = 1.1 * [math]::Ceiling($lookups / 20)
    "distinct Graph look-ups: $lookups; Graph requests: $($result.DiagnosisGraph) (target <= 1.1 x ceil(look-ups / 20) = $allowed): $(if ($lookups -gt 0 -and $result.DiagnosisGraph -le $allowed) { 'met' } else { 'MISSED' })"
    "peak working set: $($result.PeakWorkingSetMB) MB (target <= 400 MB: $(if ($result.PeakWorkingSetMB -le 400) { 'met' } else { 'MISSED' }))"
    "summary: $($result.Summary)"
}

if ($Case -contains 'expiry') {
    # Issue 6: 20,000 applications (each with a service principal), 50 ms per request; a small ARM estate for UsedBy.
    $latencyMs = 50
    $generate = 'subscriptions=1,connections=500,workflows=150,standardApps=0,users=50,applications=20000'
    $sandbox = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments @('--generate', $generate, '--latency-ms', $latencyMs) -Scenario ''
    try { $result = Invoke-Subject $sandbox 'ModuleExpiry' }
    finally { $sandbox | Stop-LogicAppAuthSandbox }

    "expiry: $generate, $latencyMs ms per request"
    $result | Format-Table Subject, Rows, Seconds, Requests, GraphRequests, PeakWorkingSetMB | Out-String
    # applications and servicePrincipals are read at the same time, 999 a page, one page after another.
    $pages = [math]::Ceiling(20000 / 999)
    "Graph pages per collection: $pages (two collections in parallel); module Graph requests: $($result.GraphRequests) (minimum $(2 * $pages))"
}

if ($Case -contains 'report') {
    # The HTML report of the 10,000-connection tenant: at most 5 MB, and a browser reaches its load event within 2 s.
    $generate = 'subscriptions=10,connections=10000,workflows=3000,standardApps=200'
    $sandbox = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -ExtraArguments @('--generate', $generate) -Scenario ''
    $reportPath = Join-Path ([System.IO.Path]::GetTempPath()) "logicappauth-bench-report-$PID.html"
    try {
        $json = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-Report.ps1') -ReadyFile $sandbox.ReadyFile -ModulePath $ModulePath -ReportPath $reportPath
        if ($LASTEXITCODE -ne 0) { throw "report failed: $json" }
        $result = ($json | Select-Object -Last 1) | ConvertFrom-Json
    }
    finally { $sandbox | Stop-LogicAppAuthSandbox }

    . (Join-Path $PSScriptRoot '../pester/Browser.ps1')
    $browser = Start-HeadlessBrowser (Join-Path ([System.IO.Path]::GetTempPath()) "logicappauth-bench-chromium-$PID")
    try {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-Cdp $browser 'Page.navigate' @{ url = [uri]::new($reportPath, [UriKind]::Absolute).AbsoluteUri }
        Wait-CdpEvent $browser 'Page.loadEventFired' -TimeoutSeconds 60
        $loadSeconds = [math]::Round($watch.Elapsed.TotalSeconds, 2)
        $shownRows = Invoke-PageScript $browser 'document.querySelectorAll("#connections tbody tr").length'
    }
    finally { Stop-HeadlessBrowser $browser; Remove-Item $reportPath -ErrorAction SilentlyContinue }

    "report: $generate; the report of $($result.Rows) diagnosed connections and $($result.Credentials) credentials (the scans themselves are not timed)"
    [pscustomobject]@{ Rows = $result.Rows; RowsRendered = $shownRows; SizeMB = $result.SizeMB; WriteSeconds = $result.WriteSeconds; LoadEventSeconds = $loadSeconds } | Format-Table | Out-String
    "budget: size <= 5 MB $(if ($result.SizeMB -le 5) { 'met' } else { 'MISSED' }); load event <= 2 s $(if ($loadSeconds -le 2) { 'met' } else { 'MISSED' })"
}
