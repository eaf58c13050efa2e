#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks LogicAppAuth. Run as: dotnet pwsh ./build.ps1 -Task <Task>
.DESCRIPTION
    Build  assembles output/LogicAppAuth/<version>/ (manifest, cmdlet assembly, deps/, format and help files)
           and publishes the sandbox to output/sandbox.
    Test   Build, then xunit, then Pester in a fresh pwsh against output/; ends with "N passed, N failed".
           -NoBuild tests what output/ and the bin folders already hold (e.g. again under faketime);
           -TestPath runs only those Pester files (xunit is skipped unless -TestPath is empty).
    Demo   Build, start the sandbox with the contoso scenario, sign in, show the connector table, write a CSV.
    Bench  Build, then the benchmark cases against the sandbox (see tests/bench).
    Clean  Removes output/ and the bin/obj folders.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [switch] $NoBuild,
    [string[]] $TestPath = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$output = Join-Path $root 'output'
$manifest = Import-PowerShellDataFile (Join-Path $root 'LogicAppAuth.psd1')
$version = $manifest.ModuleVersion
$moduleFolder = Join-Path $output "LogicAppAuth/$version"
$sandboxFolder = Join-Path $output 'sandbox'
$pwshDll = Join-Path $PSHOME 'pwsh.dll'

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-NuGetPackageRoot {
    $line = & dotnet nuget locals global-packages --list
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Build {
    Write-Host "Building LogicAppAuth $version ($Configuration)"
    $publish = Join-Path $output 'publish'
    Remove-Item -Recurse -Force $publish, $moduleFolder -ErrorAction SilentlyContinue
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/LogicAppAuth/LogicAppAuth.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet', "-p:Version=$version")

    # The cmdlet and output-type assemblies sit at the module root; the engine and every third-party assembly
    # go to deps/, where only the module's own load context looks (see src/LogicAppAuth/Loading).
    $deps = Join-Path $moduleFolder 'deps'
    New-Item -ItemType Directory -Force -Path $deps | Out-Null
    $rootAssemblies = 'LogicAppAuth.dll', 'LogicAppAuth.Models.dll'
    $rootAssemblies | ForEach-Object { Copy-Item (Join-Path $publish $_) $moduleFolder }
    Get-ChildItem $publish -Filter *.dll |
        Where-Object { $_.Name -notin $rootAssemblies -and $_.Name -notin 'System.Management.Automation.dll', 'System.Runtime.Loader.dll' } |
        Copy-Item -Destination $deps
    Copy-Item (Join-Path $root 'LogicAppAuth.psd1') $moduleFolder
    Copy-Item (Join-Path $root 'module/*') $moduleFolder -Recurse

    Build-Help
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/LogicAppAuth.Sandbox/LogicAppAuth.Sandbox.csproj'), '-c', $Configuration, '-o', $sandboxFolder, '--nologo', '-v', 'quiet')
    Write-Host "Module: $moduleFolder"
}

function Build-Help {
    # Compiles docs/en-US/*.md into MAML in a child pwsh (the built module must be imported to check coverage).
    $compiler = Join-Path $root 'tools/help/HelpCompiler.psm1'
    $docs = Join-Path $root 'docs/en-US'
    if (-not (Test-Path $compiler) -or -not (Get-ChildItem $docs -Filter *-*.md -ErrorAction SilentlyContinue)) {
        Write-Warning 'Help compiler or cmdlet help sources not present; the module is built without MAML help.'
        return
    }
    $helpFile = Join-Path $moduleFolder 'en-US/LogicAppAuth.dll-Help.xml'
    New-Item -ItemType Directory -Force -Path (Split-Path $helpFile) | Out-Null
    $script = "`$ErrorActionPreference='Stop'; Import-Module '$compiler'; `$m = Import-Module '$moduleFolder/LogicAppAuth.psd1' -PassThru; `$null = ConvertTo-MamlHelp -MarkdownPath '$docs' -OutputPath '$helpFile' -Module `$m"
    Invoke-Native dotnet @($pwshDll, '-NoProfile', '-NonInteractive', '-Command', $script)
    Get-ChildItem $docs -Filter 'about_*.md' | ForEach-Object {
        Copy-Item $_.FullName (Join-Path $moduleFolder "en-US/$($_.BaseName).help.txt")
    }
}

function Invoke-Xunit([string] $Results) {
    Write-Host 'xunit: tests/LogicAppAuth.Tests'
    $noBuildArgument = if ($NoBuild) { @('--no-build') } else { @() }
    & dotnet test (Join-Path $root 'tests/LogicAppAuth.Tests/LogicAppAuth.Tests.csproj') -c $Configuration --nologo @noBuildArgument `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $Results | Out-Host
    $xunitExit = $LASTEXITCODE
    $trx = Get-ChildItem $Results -Recurse -Filter xunit.trx | Select-Object -First 1
    $counts = @{ Passed = 0; Failed = 1 }
    if ($trx) {
        $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $counts.Passed = [int]$counters.passed
        $counts.Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    if ($xunitExit -ne 0 -and $counts.Failed -eq 0) { $counts.Failed = 1 }
    $counts
}

function Invoke-PesterTests([string] $Results) {
    Write-Host 'Pester: tests/pester (fresh pwsh, module from output/)'
    $pesterSummary = Join-Path $Results 'pester-summary.json'
    $pathArgument = if ($TestPath) { @('-TestPath', (($TestPath | ForEach-Object { (Resolve-Path $_).Path }) -join ',')) } else { @() }
    & dotnet $pwshDll -NoProfile -NonInteractive -File (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1') `
        -ModulePath (Join-Path $moduleFolder 'LogicAppAuth.psd1') -SandboxPath $sandboxFolder `
        -PesterPath (Join-Path (Get-NuGetPackageRoot) 'pester/6.2.0/tools/Pester.psd1') -SummaryPath $pesterSummary -ResultsPath $Results @pathArgument | Out-Host
    $counts = @{ Passed = 0; Failed = 1 }
    if (Test-Path $pesterSummary) {
        $summary = Get-Content $pesterSummary -Raw | ConvertFrom-Json
        $counts.Passed = $summary.Passed; $counts.Failed = $summary.Failed
    }
    $counts
}

function Invoke-Test {
    if (-not $NoBuild) { Invoke-Build }
    $results = Join-Path $output 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $results | Out-Null

    $xunit = if ($TestPath) { @{ Passed = 0; Failed = 0 } } else { Invoke-Xunit $results }
    $pester = Invoke-PesterTests $results
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Import-Module (Join-Path $root 'tools/Sandbox.psm1') -Force
    $sandbox = Start-LogicAppAuthSandbox -SandboxPath $sandboxFolder -Scenario contoso
    try {
        $script = Join-Path $root 'tools/Demo.ps1'
        Invoke-Native dotnet @($pwshDll, '-NoProfile', '-NonInteractive', '-File', $script, '-ModulePath', (Join-Path $moduleFolder 'LogicAppAuth.psd1'),
            '-ReadyFile', $sandbox.ReadyFile, '-CsvPath', (Join-Path $output 'demo/connector-status.csv'))
    }
    finally {
        $sandbox | Stop-LogicAppAuthSandbox
    }
}

function Invoke-Bench {
    Invoke-Build
    $bench = Join-Path $root 'tests/bench/Invoke-Benchmarks.ps1'
    if (-not (Test-Path $bench)) { throw 'No benchmark cases yet (tests/bench/Invoke-Benchmarks.ps1).' }
    Invoke-Native dotnet @($pwshDll, '-NoProfile', '-NonInteractive', '-File', $bench, '-ModulePath', (Join-Path $moduleFolder 'LogicAppAuth.psd1'), '-SandboxPath', $sandboxFolder)
}

function Invoke-Clean {
    Remove-Item -Recurse -Force $output -ErrorAction SilentlyContinue
    Get-ChildItem $root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Clean' { Invoke-Clean }
}
