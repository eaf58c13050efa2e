<#
.SYNOPSIS
    Azure Automation runbook: checks the Logic Apps API connections of a scope for authentication failures and
    expiring credentials, writes one JSON report to the output stream, and fails on findings of a chosen severity.

.DESCRIPTION
    Runs unattended under the Automation account's managed identity (Connect-LogicAppAuth -Identity, which reads
    IDENTITY_ENDPOINT and IDENTITY_HEADER), then:
      1. status    - Get-LogicConnectorStatus: every connection of the scope and its status;
      2. diagnosis - Test-LogicConnectorAuth: the root cause, evidence and fix for each connection that is not healthy;
      3. expiry    - Get-ExpiringCredential: app secrets/certificates and OAuth refresh tokens that have expired or
                     expire within -WithinDays, with the connections that depend on them.
    The report is a single compact JSON document (Automation keeps job streams flat; one object is easy to parse
    from the job output). Azure Automation caps a job stream at 1 MiB, so the report lists at most -MaxFindings
    findings per section, and drops detail (evidence, then remediation) until it fits under -MaxReportBytes; the
    summary always holds the full counts, and "truncated" says what was cut.

    Exit: when a finding is at or above -FailOn (Error: a broken connection or an expired credential; Warning:
    also a warning diagnosis or a credential that expires within -WithinDays), the runbook ends with a non-zero
    exit code (2) - in Azure Automation it throws instead, which marks the job Failed. Sign-in or scan failures
    end with exit code 3 (or a throw in Automation).

    Give the Automation account's identity Reader on the subscriptions to scan and the Microsoft Graph
    application permissions User.Read.All and Application.Read.All, and import the LogicAppAuth module into the
    account.

.EXAMPLE
    # In the Automation account: a schedule with SubscriptionId = <id>, FailOn = Error.
    .\Invoke-LogicAppAuthCheck.ps1 -SubscriptionId '3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d' -FailOn Error
#>
[CmdletBinding()]
param(
    # Subscriptions to scan; none: every subscription the identity can see.
    [string[]] $SubscriptionId = @(),
    # Limit the scan to one resource group (in -SubscriptionId, or wherever it is found).
    [string] $ResourceGroupName,
    # The lowest severity that fails the job: Error, Warning, or Never.
    [ValidateSet('Error', 'Warning', 'Never')] [string] $FailOn = 'Error',
    # Days ahead for Get-ExpiringCredential.
    [ValidateRange(0, 3650)] [int] $WithinDays = 30,
    # Client id of a user-assigned identity; empty: the account's system-assigned identity.
    [string] $ClientId,
    # The named cloud. Endpoint overrides are not job parameters: whoever may start the job must not choose the host
    # that receives the identity's tokens (see Get-EndpointSetting).
    [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')] [string] $Environment = 'AzureCloud',
    # Most findings listed per section.
    [ValidateRange(1, 100000)] [int] $MaxFindings = 500,
    # The report's size limit; Automation's job stream limit is 1 MiB.
    [ValidateRange(1024, 1048576)] [int] $MaxReportBytes = 900KB
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$inAutomation = [bool](Get-Variable -Name PSPrivateMetadata -ErrorAction SilentlyContinue) -or [bool]$env:AUTOMATION_ASSET_ACCOUNTID

function Stop-Runbook([int] $Code, [string] $Message) {
    if ($inAutomation) { throw $Message }
    [Console]::Error.WriteLine($Message)
    exit $Code
}

function Get-EndpointSetting([string] $AutomationVariable, [string] $EnvironmentVariable) {
    <# An endpoint override set by whoever administers the host: an Automation variable of the account (for Azure
       Stack Hub or a private endpoint), or an environment variable outside Automation (e.g. the LogicAppAuth sandbox). #>
    if ($inAutomation -and (Get-Command Get-AutomationVariable -ErrorAction SilentlyContinue)) {
        try { return Get-AutomationVariable -Name $AutomationVariable } catch { return $null }
    }
    [Environment]::GetEnvironmentVariable($EnvironmentVariable)
}

try {
    if (-not (Get-Module LogicAppAuth)) { Import-Module LogicAppAuth }
    $connect = @{ Identity = $true; Environment = $Environment }
    if ($ClientId) { $connect.ClientId = $ClientId }
    $overrides = @{
        ResourceManagerUrl     = Get-EndpointSetting 'LogicAppAuthResourceManagerUrl' 'LOGICAPPAUTH_RESOURCE_MANAGER_URL'
        GraphUrl               = Get-EndpointSetting 'LogicAppAuthGraphUrl' 'LOGICAPPAUTH_GRAPH_URL'
        TrustedCertificatePath = Get-EndpointSetting 'LogicAppAuthTrustedCertificatePath' 'LOGICAPPAUTH_TRUSTED_CERTIFICATE_PATH'
    }
    foreach ($name in $overrides.Keys) { if ($overrides[$name]) { $connect[$name] = $overrides[$name] } }
    Connect-LogicAppAuth @connect | Out-Null
}
catch {
    Stop-Runbook 3 "Sign-in with the managed identity failed: $($_.Exception.Message)"
}

$scope = @{}
if ($SubscriptionId) { $scope.SubscriptionId = $SubscriptionId }
if ($ResourceGroupName) { $scope.ResourceGroupName = $ResourceGroupName }
$scanErrors = [System.Collections.Generic.List[object]]::new()
$started = [DateTimeOffset]::UtcNow

function Invoke-Step([string] $Step, [scriptblock] $Command) {
    # Per-item failures are non-terminating: keep the rows, record the errors, go on with the next step.
    $ErrorActionPreference = 'Continue'
    $output = try { @(& $Command 2>&1) } catch { @($_) }
    foreach ($e in @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })) {
        $scanErrors.Add([ordered]@{ step = $Step; errorId = "$($e.FullyQualifiedErrorId)".Split(',')[0]; target = "$($e.TargetObject)"; message = "$($e.Exception.Message)" })
    }
    , @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
}

$statusRows = Invoke-Step 'status' { Get-LogicConnectorStatus @scope }
$hasDiagnosis = [bool](Get-Command Test-LogicConnectorAuth -Module LogicAppAuth -ErrorAction SilentlyContinue)
$diagnoses = if ($hasDiagnosis) { Invoke-Step 'diagnosis' { Test-LogicConnectorAuth @scope } } else { @() }
$expiring = Invoke-Step 'expiry' { Get-ExpiringCredential @scope -WithinDays $WithinDays }

$findings = @($diagnoses | Where-Object { -not $_.Healthy } | Sort-Object @{ Expression = { [int]$_.Severity }; Descending = $true }, ResourceId | ForEach-Object {
    [ordered]@{
        severity = "$($_.Severity)"; resourceId = $_.ResourceId; name = $_.Name; apiName = $_.ApiName; cause = "$($_.Cause)"
        allCauses = $_.AllCauses; usedBy = $_.UsedBy; evidence = $_.Evidence; remediation = $_.Remediation; remediationCommand = $_.RemediationCommand
    }
})
$credentials = @($expiring | ForEach-Object {
    [ordered]@{
        severity = if ($_.Expired) { 'Error' } else { 'Warning' }; kind = "$($_.Kind)"; displayName = $_.DisplayName; appId = $_.AppId
        credentialId = $_.CredentialId; endDateTime = $_.EndDateTime.UtcDateTime.ToString('o'); daysRemaining = $_.DaysRemaining; expired = $_.Expired
        estimateBasis = $_.EstimateBasis; usedBy = $_.UsedBy; resourceId = $_.ResourceId
    }
})

$count = { param($list, $severity) @($list | Where-Object { $_.severity -eq $severity }).Count }
$summary = [ordered]@{
    connections         = @($statusRows | Where-Object Exists).Count
    missingConnections  = @($statusRows | Where-Object { -not $_.Exists }).Count
    notConnected        = @($statusRows | Where-Object { $_.Exists -and "$($_.Status)" -ne 'Connected' }).Count
    diagnosed           = $hasDiagnosis
    findingsError       = & $count $findings 'Error'
    findingsWarning     = & $count $findings 'Warning'
    credentialsExpired  = & $count $credentials 'Error'
    credentialsExpiring = & $count $credentials 'Warning'
    scanErrors          = $scanErrors.Count
}
$report = [ordered]@{
    report      = 'LogicAppAuth connector check'
    generatedAt = [DateTimeOffset]::UtcNow.ToString('o')
    seconds     = [math]::Round(([DateTimeOffset]::UtcNow - $started).TotalSeconds, 1)
    scope       = [ordered]@{ subscriptionId = @($SubscriptionId); resourceGroupName = "$ResourceGroupName"; withinDays = $WithinDays; failOn = $FailOn }
    summary     = $summary
    truncated   = @()
    findings    = @($findings | Select-Object -First $MaxFindings)
    credentials = @($credentials | Select-Object -First $MaxFindings)
    errors      = @($scanErrors | Select-Object -First 50)
}
if ($findings.Count -gt $MaxFindings) { $report.truncated += "findings: first $MaxFindings of $($findings.Count)" }
if ($credentials.Count -gt $MaxFindings) { $report.truncated += "credentials: first $MaxFindings of $($credentials.Count)" }

# Fit the job stream: drop bulky detail first, then list fewer rows, until the JSON is under the limit.
$utf8 = [System.Text.UTF8Encoding]::new($false)
$json = $report | ConvertTo-Json -Depth 6 -Compress
foreach ($field in 'evidence', 'remediation', 'allCauses', 'usedBy') {
    if ($utf8.GetByteCount($json) -le $MaxReportBytes) { break }
    foreach ($f in $report.findings) { $f.Remove($field) }
    foreach ($c in $report.credentials) { $c.Remove($field) }
    $report.truncated += "dropped $field"
    $json = $report | ConvertTo-Json -Depth 6 -Compress
}
while ($utf8.GetByteCount($json) -gt $MaxReportBytes -and ($report.findings.Count -gt 0 -or $report.credentials.Count -gt 0)) {
    $report.findings = @($report.findings | Select-Object -First ([math]::Floor($report.findings.Count / 2)))
    $report.credentials = @($report.credentials | Select-Object -First ([math]::Floor($report.credentials.Count / 2)))
    $report.truncated += "listed $($report.findings.Count) findings and $($report.credentials.Count) credentials to fit $MaxReportBytes bytes"
    $json = $report | ConvertTo-Json -Depth 6 -Compress
}
Write-Output $json

$failing = switch ($FailOn) {
    'Error' { $summary.findingsError + $summary.credentialsExpired }
    'Warning' { $summary.findingsError + $summary.findingsWarning + $summary.credentialsExpired + $summary.credentialsExpiring }
    default { 0 }
}
if ($summary.scanErrors -gt 0 -and $summary.connections -eq 0 -and $expiring.Count -eq 0) {
    Stop-Runbook 3 "The scan failed: $($scanErrors[0].errorId) $($scanErrors[0].message)"
}
if ($failing -gt 0) {
    Stop-Runbook 2 "$failing finding(s) at or above severity $FailOn; see the JSON report."
}
