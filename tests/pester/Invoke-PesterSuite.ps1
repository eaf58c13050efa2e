# Runs every tests/pester/*.Tests.ps1 in this (fresh) pwsh against the built module and one shared contoso sandbox.
# Writes { Passed, Failed } to -SummaryPath for build.ps1, which sums it with xunit's counts.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [Parameter(Mandatory)] [string] $ResultsPath,
    # Comma-separated test files or folders; all of tests/pester when empty.
    [string] $TestPath = ''
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath
Import-Module (Join-Path $PSScriptRoot '../../tools/Sandbox.psm1')

$env:LOGICAPPAUTH_TEST_MODULE = $ModulePath
$env:LOGICAPPAUTH_TEST_SANDBOX_PATH = $SandboxPath
$sandbox = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath -Scenario contoso
$env:LOGICAPPAUTH_TEST_SANDBOX_READY = $sandbox.ReadyFile
try {
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = if ($TestPath) { $TestPath -split ',' } else { $PSScriptRoot }
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = Join-Path $ResultsPath 'pester.xml'
    $result = Invoke-Pester -Configuration $configuration
    # Every call the tests made through the shared sandbox used an api-version its resource provider registers.
    $refused = @(Get-SandboxRefusedApiVersion -Sandbox $sandbox)
    $refused | ForEach-Object { Write-Host "Refused for its api-version: $_" -ForegroundColor Red }
}
finally {
    $sandbox | Stop-LogicAppAuthSandbox
}
@{ Passed = $result.PassedCount; Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount + $refused.Count } |
    ConvertTo-Json | Set-Content $SummaryPath
