# Dot-sourced by every test file: where the built module and the shared sandbox are, and small helpers.
$script:ModulePath = $env:LOGICAPPAUTH_TEST_MODULE
if (-not $script:ModulePath) {
    $script:ModulePath = (Get-ChildItem (Join-Path $PSScriptRoot '../../output/LogicAppAuth/*/LogicAppAuth.psd1') | Select-Object -First 1).FullName
}
$script:SandboxPath = if ($env:LOGICAPPAUTH_TEST_SANDBOX_PATH) { $env:LOGICAPPAUTH_TEST_SANDBOX_PATH } else { Join-Path $PSScriptRoot '../../output/sandbox' }
Import-Module (Join-Path $PSScriptRoot '../../tools/Sandbox.psm1') -Force

function Get-PinnedVersion([string] $Name) {
    <# A version from Versions.props, the repository's one table of packages fetched outside a PackageReference. #>
    ([xml](Get-Content (Join-Path $PSScriptRoot '../../Versions.props') -Raw)).Project.PropertyGroup.$Name
}

function Invoke-Arm([string] $Method, [string] $Path, [string] $ApiVersion, [string] $Body) {
    <# A direct ARM call outside the module, as the calling test file's $adminToken on its $sb: the raw text the sandbox answers. #>
    $separator = if ($Path.Contains('?')) { '&' } else { '?' }
    $arguments = @('--silent', '--show-error', '--cacert', $sb.certificatePath, '-X', $Method, '-H', "Authorization: Bearer $adminToken",
        "$($sb.endpoint)$Path$($separator)api-version=$ApiVersion")
    if ($Body) { $arguments += @('-H', 'Content-Type: application/json', '--data-binary', $Body) }
    (& curl @arguments) -join "`n"
}

function Get-TestSandbox {
    <# The shared contoso sandbox started by Invoke-PesterSuite.ps1, with its process handle-free ready-file data. #>
    $ready = Get-Content $env:LOGICAPPAUTH_TEST_SANDBOX_READY -Raw | ConvertFrom-Json
    $ready | Add-Member -NotePropertyName ReadyFile -NotePropertyValue $env:LOGICAPPAUTH_TEST_SANDBOX_READY -PassThru
}

function Get-ScenarioId {
    <# The ids of the scenario the sandbox runs, as its ready file publishes them, under the names tests use:
       TenantId, SubscriptionId (Contoso Integration (Prod)), DevTestSubscriptionId (Contoso Dev/Test), and
       ObjectId/ClientId of each signing-in principal (Principals.<name>). No test file repeats these GUIDs. #>
    param($Sandbox = (Get-TestSandbox))
    $bySubscriptionName = @{}
    foreach ($subscription in $Sandbox.subscriptions) { $bySubscriptionName[$subscription.displayName] = $subscription.subscriptionId }
    if (-not $bySubscriptionName['Contoso Integration (Prod)']) { throw "The sandbox's ready file names no 'Contoso Integration (Prod)' subscription: is it the contoso scenario?" }
    [pscustomobject]@{
        TenantId              = $Sandbox.tenantId
        SubscriptionId        = $bySubscriptionName['Contoso Integration (Prod)']
        DevTestSubscriptionId = $bySubscriptionName['Contoso Dev/Test']
        Principals            = $Sandbox.principals
    }
}

function Get-ScenarioTime {
    <# A time as a scenario file writes it, as the sandbox serves it: the file's times stand as on its timesAsOf and
       move with the sandbox's start (timeAnchor in the ready file), so that tests expect what any day serves. #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [DateTimeOffset] $Written)
    [DateTimeOffset] $Sandbox.timeAnchor + ($Written - [DateTimeOffset] $Sandbox.scenarioTimesAsOf)
}

function Get-SandboxConnectParameters {
    <# Splat for Connect-LogicAppAuth: the sandbox's endpoints and certificate, plus a sign-in method. #>
    param($Sandbox, [ValidateSet('ServicePrincipal', 'AccessToken', 'None')] [string] $As = 'ServicePrincipal', [string] $Principal = 'admin')
    $parameters = @{
        ResourceManagerUrl     = $Sandbox.resourceManagerUrl
        GraphUrl               = $Sandbox.graphUrl
        AuthorityHost          = $Sandbox.authorityHost
        TrustedCertificatePath = $Sandbox.certificatePath
    }
    switch ($As) {
        'ServicePrincipal' {
            $sp = $Sandbox.principals.$Principal
            $parameters.ServicePrincipal = $true
            $parameters.TenantId = $sp.tenantId
            $parameters.ClientId = $sp.clientId
            $parameters.ClientSecret = ConvertTo-SecureString $sp.clientSecret -AsPlainText -Force
        }
        'AccessToken' {
            $parameters.AccessToken = $Sandbox.accessToken
            $parameters.MicrosoftGraphAccessToken = $Sandbox.microsoftGraphAccessToken
        }
    }
    $parameters
}

function Invoke-FreshPwsh {
    <# Runs a script block in a new pwsh process; output and error records come back deserialized. #>
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock, [object[]] $ArgumentList = @(), [hashtable] $Environment = @{})
    $saved = @{}
    foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $Environment[$name]) }
    try { & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $ScriptBlock -args $ArgumentList 2>&1 }
    finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
}

# The running scenario's ids ($Contoso.SubscriptionId, ...), also at discovery (dot-source this file in BeforeDiscovery).
$script:Contoso = if ($env:LOGICAPPAUTH_TEST_SANDBOX_READY -and (Test-Path $env:LOGICAPPAUTH_TEST_SANDBOX_READY)) { Get-ScenarioId } else { $null }
