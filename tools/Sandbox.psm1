# Starts and stops the local Azure-shaped sandbox (src/LogicAppAuth.Sandbox) for the demo, the tests and the benchmarks.

function Start-LogicAppAuthSandbox {
    [CmdletBinding()]
    param(
        # The folder that holds the published sandbox (build.ps1 -Task Build puts it in output/sandbox).
        [Parameter(Mandatory)] [string] $SandboxPath,
        # A scenario name or file; empty when -ExtraArguments carries --generate.
        [string] $Scenario = 'contoso',
        [string[]] $ExtraArguments = @(),
        # The sandbox's "now" at start (--now); every scenario time is placed relative to it. Give another
        # sandbox's timeAnchor to have both serve the same times.
        [Nullable[DateTimeOffset]] $Now,
        [int] $TimeoutSeconds = 60
    )
    $workFolder = Join-Path ([IO.Path]::GetTempPath()) ("logicappauth-sandbox-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $workFolder | Out-Null
    $readyFile = Join-Path $workFolder 'ready.json'
    $arguments = @((Join-Path $SandboxPath 'LogicAppAuth.Sandbox.dll'), '--ready-file', $readyFile) + $ExtraArguments
    if ($Scenario) { $arguments += @('--scenario', $Scenario) }
    if ($Now) { $arguments += @('--now', ([DateTimeOffset] $Now).ToUniversalTime().ToString('o', [cultureinfo]::InvariantCulture)) }
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru `
        -RedirectStandardOutput (Join-Path $workFolder 'stdout.log') -RedirectStandardError (Join-Path $workFolder 'stderr.log')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path $readyFile)) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            $log = Get-Content (Join-Path $workFolder 'stderr.log'), (Join-Path $workFolder 'stdout.log') -Raw -ErrorAction SilentlyContinue
            if (-not $process.HasExited) { $process.Kill() }
            throw "The sandbox did not start within $TimeoutSeconds s. Its output: $log"
        }
        Start-Sleep -Milliseconds 100
    }
    $ready = Get-Content $readyFile -Raw | ConvertFrom-Json
    $ready | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $ready | Add-Member -NotePropertyName WorkFolder -NotePropertyValue $workFolder
    $ready | Add-Member -NotePropertyName ReadyFile -NotePropertyValue $readyFile
    $ready
}

function Stop-LogicAppAuthSandbox {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Sandbox)
    process {
        $process = $Sandbox.Process
        if (-not $process.HasExited) {
            # SIGTERM lets the sandbox shut down cleanly (it removes its ready-file); Kill is the fallback.
            if ($IsLinux -or $IsMacOS) { & kill -TERM $process.Id } else { $process.CloseMainWindow() | Out-Null }
            if (-not $process.WaitForExit(10000)) { $process.Kill() }
        }
        Remove-Item -Recurse -Force $Sandbox.WorkFolder -ErrorAction SilentlyContinue
    }
}

function Get-SandboxRefusedApiVersion {
    <# The requests the sandbox refused because their api-version is not one the resource provider registers (never cleared). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    # An empty JSON array comes back from Invoke-RestMethod as one empty value: keep only real entries.
    @(Invoke-SandboxRequest -Sandbox $Sandbox -Method Get -Uri "$($Sandbox.endpoint)/_sandbox/refused-api-versions") | Where-Object { $_ }
}

function Get-SandboxRequestLog {
    <# The sandbox's request log: the witness for which requests a cmdlet sent. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [switch] $Clear)
    $uri = "$($Sandbox.endpoint)/_sandbox/requests"
    $log = Invoke-SandboxRequest -Sandbox $Sandbox -Method Get -Uri $uri
    if ($Clear) { Invoke-SandboxRequest -Sandbox $Sandbox -Method Delete -Uri $uri | Out-Null }
    $log
}

function Clear-SandboxRequestLog {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-SandboxRequest -Sandbox $Sandbox -Method Delete -Uri "$($Sandbox.endpoint)/_sandbox/requests" | Out-Null
}

function New-SandboxToken {
    <# Mints a token for a scenario principal (e.g. expired, or for another tenant) through the sandbox's test route. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [string] $Principal = 'admin',
        [string] $Audience = 'https://management.azure.com/',
        [int] $LifetimeSeconds = 3600,
        [string] $TenantId
    )
    $body = @{ principal = $Principal; audience = $Audience; lifetimeSeconds = $LifetimeSeconds }
    if ($TenantId) { $body.tenantId = $TenantId }
    (Invoke-SandboxRequest -Sandbox $Sandbox -Method Post -Uri "$($Sandbox.endpoint)/_sandbox/token" -Body ($body | ConvertTo-Json)).access_token
}

function Set-SandboxConcurrentWriter {
    <# Arms the sandbox's stand-in for another writer: as the N-th read of Path is answered, it saves a change to it. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Path, [int] $AfterReads = 1)
    $body = @{ path = $Path; afterReads = $AfterReads } | ConvertTo-Json
    Invoke-SandboxRequest -Sandbox $Sandbox -Method Post -Uri "$($Sandbox.endpoint)/_sandbox/concurrent-writer" -Body $body | Out-Null
}

function Get-SandboxSiteFile {
    <# A Standard app's wwwroot file (connections.json) as the sandbox serves it through the host runtime: exact text and ETag. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $SiteId, [string] $FileName = 'connections.json')
    $headers = New-TemporaryFile
    $body = New-TemporaryFile
    try {
        $arguments = @('--silent', '--show-error', '--fail-with-body', '--cacert', $Sandbox.certificatePath, '-D', $headers.FullName, '-o', $body.FullName,
            '-H', "Authorization: Bearer $(New-SandboxToken -Sandbox $Sandbox)", "$($Sandbox.endpoint)$SiteId/hostruntime/admin/vfs/$($FileName)?relativePath=1&api-version=2018-11-01")
        & curl @arguments
        if ($LASTEXITCODE -ne 0) { throw "GET of $FileName of $SiteId failed: $(Get-Content $body.FullName -Raw)" }
        $etag = Get-Content $headers.FullName | Where-Object { $_ -match '^etag:\s*(.+?)\s*$' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
        [pscustomobject]@{ Text = [IO.File]::ReadAllText($body.FullName); ETag = $etag }
    }
    finally { Remove-Item $headers.FullName, $body.FullName -ErrorAction SilentlyContinue }
}

function Set-SandboxSiteFile {
    <# Replaces a Standard app's wwwroot file as an admin would, outside the module (PUT with If-Match: *), byte for byte. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $SiteId, [Parameter(Mandatory)] [string] $Text, [string] $FileName = 'connections.json')
    $body = New-TemporaryFile
    try {
        [IO.File]::WriteAllText($body.FullName, $Text)
        $arguments = @('--silent', '--show-error', '--fail-with-body', '--cacert', $Sandbox.certificatePath, '-X', 'PUT', '-H', 'If-Match: *', '-H', 'Content-Type: application/json',
            '-H', "Authorization: Bearer $(New-SandboxToken -Sandbox $Sandbox)", '--data-binary', "@$($body.FullName)",
            "$($Sandbox.endpoint)$SiteId/hostruntime/admin/vfs/$($FileName)?relativePath=1&api-version=2018-11-01")
        $answer = (& curl @arguments) -join "`n"
        if ($LASTEXITCODE -ne 0) { throw "PUT of $FileName of $SiteId failed: $answer" }
    }
    finally { Remove-Item $body.FullName -ErrorAction SilentlyContinue }
}

function Set-SandboxTestLink {
    <# Points a connection's testLinks[0] at -RequestUri, as a service emitting a hostile link would. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $ConnectionId, [Parameter(Mandatory)] [string] $RequestUri)
    Invoke-SandboxRequest -Sandbox $Sandbox -Method Post -Uri "$($Sandbox.endpoint)/_sandbox/test-link" -Body (@{ connectionId = $ConnectionId; requestUri = $RequestUri } | ConvertTo-Json) | Out-Null
}

function Invoke-SandboxRequest {
    # curl with --cacert trusts the sandbox's own certificate for this call; TLS validation stays on.
    param($Sandbox, [string] $Method, [string] $Uri, [string] $Body)
    $arguments = @('--silent', '--show-error', '--fail-with-body', '--cacert', $Sandbox.certificatePath, '-X', $Method.ToUpperInvariant(), $Uri)
    if ($Body) { $arguments += @('-H', 'Content-Type: application/json', '--data-binary', $Body) }
    $text = (& curl @arguments) -join "`n"
    if ($LASTEXITCODE -ne 0) { throw "Sandbox $Method $Uri failed (curl exit $LASTEXITCODE): $text" }
    if ($text) { $text | ConvertFrom-Json -NoEnumerate }
}

Export-ModuleMember -Function Start-LogicAppAuthSandbox, Stop-LogicAppAuthSandbox, Get-SandboxRequestLog, Get-SandboxRefusedApiVersion, Clear-SandboxRequestLog, New-SandboxToken, Set-SandboxConcurrentWriter,
    Get-SandboxSiteFile, Set-SandboxSiteFile, Set-SandboxTestLink
