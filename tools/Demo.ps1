# The demo run by `build.ps1 -Task Demo`: signs in to the sandbox as a service principal, lists every connector
# of the contoso scenario's main resource group, diagnoses each one, and writes both to CSV files.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $CsvPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$sandbox = Get-Content $ReadyFile -Raw | ConvertFrom-Json
$sp = $sandbox.servicePrincipal

$connect = @{
    ServicePrincipal       = $true
    TenantId               = $sp.tenantId
    ClientId               = $sp.clientId
    ClientSecret           = (ConvertTo-SecureString $sp.clientSecret -AsPlainText -Force)
    ResourceManagerUrl     = $sandbox.resourceManagerUrl
    GraphUrl               = $sandbox.graphUrl
    AuthorityHost          = $sandbox.authorityHost
    TrustedCertificatePath = $sandbox.certificatePath
}
Connect-LogicAppAuth @connect | Format-Table | Out-Host

$status = Get-LogicConnectorStatus -ResourceGroupName rg-integration
$status | Format-Table | Out-Host

$diagnosis = $status | Test-LogicConnectorAuth
$diagnosis | Format-Table | Out-Host

New-Item -ItemType Directory -Force -Path (Split-Path $CsvPath) | Out-Null
$status | Export-Csv -Path $CsvPath -NoTypeInformation
$diagnosisPath = Join-Path (Split-Path $CsvPath) 'connector-diagnosis.csv'
$diagnosis | Export-Csv -Path $diagnosisPath -NoTypeInformation
$broken = @($status | Where-Object Status -ne 'Connected').Count
$unhealthy = @($diagnosis | Where-Object { -not $_.Healthy }).Count
Write-Host "$($status.Count) connections, $broken not connected, $unhealthy with a cause to fix. CSV written to $CsvPath and $diagnosisPath"
