#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks LogicAppAuth. Run as: dotnet pwsh ./build.ps1 -Task <Task>
.DESCRIPTION
    Build  assembles output/LogicAppAuth/<version>/ (manifest, cmdlet assembly, deps/, format and help files)
           and publishes the sandbox to output/sandbox.
    Test   Build and Package, then xunit, then Pester in a fresh pwsh against output/; ends with "N passed, N failed".
           -NoBuild tests what output/ and the bin folders already hold (e.g. again under faketime);
           -TestPath runs only those Pester files (xunit is skipped unless -TestPath is empty).
    Demo   Build, start the sandbox with the contoso scenario, sign in, show the connector table, write a CSV.
    Bench  Build, then the benchmark cases against the sandbox (see tests/bench).
    Package Build, then output/LogicAppAuth.<version>.nupkg (Publish-PSResource to a local file repository) and
           output/LogicAppAuth-<version>.zip (the module folder at the zip's root, as Azure Automation imports it).
    Clean  Removes output/ and the bin/obj folders.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Clean')]
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

function Get-PinnedVersion([string] $Name) {
    # Versions.props is the one table of versions fetched outside a PackageReference (Pester, ...).
    $value = ([xml](Get-Content (Join-Path $root 'Versions.props') -Raw)).Project.PropertyGroup.$Name
    if (-not $value) { throw "Versions.props has no $Name." }
    $value
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
    Copy-BuiltManifest
    Copy-Item (Join-Path $root 'LICENSE') $moduleFolder
    Copy-Item (Join-Path $root 'module/*') $moduleFolder -Recurse

    Build-Help
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/LogicAppAuth.Sandbox/LogicAppAuth.Sandbox.csproj'), '-c', $Configuration, '-o', $sandboxFolder, '--nologo', '-v', 'quiet')
    Write-Host "Module: $moduleFolder"
}

function Get-ReleaseNote {
    # The CHANGELOG section of this version: the lines under '## <version>' up to the next '## ' heading.
    $changelog = Get-Content (Join-Path $root 'CHANGELOG.md') -Raw
    $section = [regex]::Match($changelog, ('(?ms)^## {0}\b[^\n]*\n(.*?)(?=^## |\z)' -f [regex]::Escape($version)))
    if (-not $section.Success) { throw "CHANGELOG.md has no '## $version' section; add one for the manifest's ModuleVersion." }
    $section.Groups[1].Value.Trim()
}

function Copy-BuiltManifest {
    # The built manifest carries this version's CHANGELOG section as its ReleaseNotes (what the gallery shows).
    $source = Get-Content (Join-Path $root 'LogicAppAuth.psd1') -Raw
    $placeholder = "ReleaseNotes = 'See CHANGELOG.md.'"
    if (-not $source.Contains($placeholder)) { throw "LogicAppAuth.psd1 must hold $placeholder for the build to fill in." }
    $notes = (Get-ReleaseNote) -replace "'", "''"
    Set-Content -Path (Join-Path $moduleFolder 'LogicAppAuth.psd1') -Value $source.Replace($placeholder, "ReleaseNotes = '$notes'") -NoNewline
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
    [string[]] $noBuildArgument = if ($NoBuild) { @('--no-build') } else { @() }
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
    [string[]] $pathArgument = if ($TestPath) { '-TestPath', ((($TestPath -split ',') | ForEach-Object { (Resolve-Path $_).Path }) -join ',') } else { @() }
    & dotnet $pwshDll -NoProfile -NonInteractive -File (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1') `
        -ModulePath (Join-Path $moduleFolder 'LogicAppAuth.psd1') -SandboxPath $sandboxFolder `
        -PesterPath (Join-Path (Get-NuGetPackageRoot) "pester/$(Get-PinnedVersion PesterVersion)/tools/Pester.psd1") -SummaryPath $pesterSummary -ResultsPath $Results @pathArgument | Out-Host
    $counts = @{ Passed = 0; Failed = 1 }
    if (Test-Path $pesterSummary) {
        $summary = Get-Content $pesterSummary -Raw | ConvertFrom-Json
        $counts.Passed = $summary.Passed; $counts.Failed = $summary.Failed
    }
    $counts
}

function Invoke-Test {
    if (-not $NoBuild) { Invoke-Build; Invoke-Package }
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

function Invoke-Package {
    Remove-Item -Force (Join-Path $output 'LogicAppAuth*.nupkg'), (Join-Path $output 'LogicAppAuth-*.zip') -ErrorAction SilentlyContinue

    # The gallery package, made the way Publish-PSResource makes it, into a throw-away local file repository.
    $repository = Join-Path $output 'repository'
    $repositoryName = "LogicAppAuthBuild-$PID"
    Remove-Item -Recurse -Force $repository -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $repository | Out-Null
    Register-PSResourceRepository -Name $repositoryName -Uri $repository -Trusted
    try {
        Publish-PSResource -Path $moduleFolder -Repository $repositoryName
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }
    $nupkg = Join-Path $output "LogicAppAuth.$version.nupkg"
    Move-Item (Join-Path $repository "LogicAppAuth.$version.nupkg") $nupkg
    Remove-Item -Recurse -Force $repository

    # Azure Automation imports a zip whose root holds one folder named like the module, with the manifest in it.
    $staging = Join-Path $output 'zip-staging'
    Remove-Item -Recurse -Force $staging -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $staging | Out-Null
    Copy-Item $moduleFolder (Join-Path $staging 'LogicAppAuth') -Recurse
    $zip = Join-Path $output "LogicAppAuth-$version.zip"
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    [System.IO.Compression.ZipFile]::CreateFromDirectory((Join-Path $staging 'LogicAppAuth'), $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
    Remove-Item -Recurse -Force $staging
    Write-Host "Packages: $nupkg, $zip"
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
    'Package' { Invoke-Build; Invoke-Package }
    'Clean' { Invoke-Clean }
}
