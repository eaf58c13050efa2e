# The 'report' bench case, in a fresh pwsh: diagnoses every connection of the sandbox tenant, adds every credential,
# and writes the HTML report. Prints one JSON line: rows, credentials, seconds to write the report, its size.
param(
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ReportPath
)
$ErrorActionPreference = 'Stop'
$ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
Import-Module $ModulePath
Connect-LogicAppAuth -AccessToken $ready.accessToken -MicrosoftGraphAccessToken $ready.microsoftGraphAccessToken -ResourceManagerUrl $ready.resourceManagerUrl `
    -GraphUrl $ready.graphUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
$diagnoses = @(Test-LogicConnectorAuth -WarningAction SilentlyContinue)
$credentials = @(Get-ExpiringCredential -WithinDays 36500 -WarningAction SilentlyContinue)
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$file = @($diagnoses) + @($credentials) | Export-LogicConnectorReport -Path $ReportPath
$watch.Stop()
[pscustomobject]@{
    Rows          = $diagnoses.Count
    Credentials   = $credentials.Count
    WriteSeconds  = [math]::Round($watch.Elapsed.TotalSeconds, 2)
    SizeMB        = [math]::Round($file.Length / 1MB, 2)
} | ConvertTo-Json -Compress
