# A real headless Chromium driven over the DevTools protocol (a WebSocket), for the tests of the HTML report.
# Dot-sourced by Export-LogicConnectorReport.Tests.ps1. .ci/run installs chromium-headless-shell with apt-get when missing.

function Find-HeadlessChromium {
    foreach ($name in 'chromium-headless-shell', 'chromium', 'chromium-browser') {
        $command = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($command) { return $command.Source }
    }
    throw 'No headless Chromium found: install the Debian package chromium-headless-shell (apt-get install chromium-headless-shell).'
}

function Start-HeadlessBrowser([string] $ProfileFolder) {
    <# Starts Chromium with a private profile and connects to its first page; returns the session used by the other functions. #>
    New-Item -ItemType Directory -Force -Path $ProfileFolder | Out-Null
    $arguments = @('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-port=0', '--remote-allow-origins=*',
        "--user-data-dir=$ProfileFolder", '--window-size=1400,1000', 'about:blank')
    $process = Start-Process -FilePath (Find-HeadlessChromium) -ArgumentList $arguments -PassThru -RedirectStandardError (Join-Path $ProfileFolder 'stderr.txt')
    $portFile = Join-Path $ProfileFolder 'DevToolsActivePort'
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not (Test-Path $portFile) -or -not (Get-Content $portFile -ErrorAction SilentlyContinue)) {
        if ([DateTime]::UtcNow -gt $deadline -or $process.HasExited) { throw "Chromium did not start: $(Get-Content (Join-Path $ProfileFolder 'stderr.txt') -Raw)" }
        Start-Sleep -Milliseconds 100
    }
    $port = (Get-Content $portFile)[0]
    do {
        $page = @(Invoke-RestMethod "http://127.0.0.1:$port/json/list") | ForEach-Object { $_ } | Where-Object type -eq 'page' | Select-Object -First 1
        if (-not $page) { Start-Sleep -Milliseconds 100 }
    } until ($page -or [DateTime]::UtcNow -gt $deadline)
    if (-not $page) { throw 'Chromium started but showed no page to attach to.' }
    $socket = [System.Net.WebSockets.ClientWebSocket]::new()
    $socket.Options.KeepAliveInterval = [TimeSpan]::Zero
    $null = $socket.ConnectAsync([uri] $page.webSocketDebuggerUrl, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    $browser = [pscustomobject]@{ Process = $process; Socket = $socket; NextId = 0; Events = [System.Collections.Generic.List[object]]::new() }
    foreach ($domain in 'Page', 'Runtime', 'Log', 'Network') { $null = Invoke-Cdp $browser "$domain.enable" }
    $browser
}

function Receive-CdpMessage($Browser) {
    $buffer = [byte[]]::new(1MB)
    $text = [System.Text.StringBuilder]::new()
    do {
        $result = $Browser.Socket.ReceiveAsync([ArraySegment[byte]]::new($buffer), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $null = $text.Append([System.Text.Encoding]::UTF8.GetString($buffer, 0, $result.Count))
    } until ($result.EndOfMessage)
    $text.ToString() | ConvertFrom-Json -Depth 50
}

function Invoke-Cdp($Browser, [string] $Method, [hashtable] $Params = @{}) {
    <# Sends one command and returns its result; events that arrive meanwhile are kept in $Browser.Events. #>
    $Browser.NextId++
    $id = $Browser.NextId
    $bytes = [System.Text.Encoding]::UTF8.GetBytes((@{ id = $id; method = $Method; params = $Params } | ConvertTo-Json -Depth 20 -Compress))
    $null = $Browser.Socket.SendAsync([ArraySegment[byte]]::new($bytes), 'Text', $true, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    while ($true) {
        $message = Receive-CdpMessage $Browser
        if ($message.PSObject.Properties['id'] -and $message.id -eq $id) {
            if ($message.PSObject.Properties['error']) { throw "$Method failed: $($message.error.message)" }
            return $message.result
        }
        $Browser.Events.Add($message)
    }
}

function Wait-CdpEvent($Browser, [string] $Method, [int] $TimeoutSeconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not ($Browser.Events | Where-Object method -eq $Method)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "No $Method within $TimeoutSeconds s." }
        $Browser.Events.Add((Receive-CdpMessage $Browser))
    }
}

function Invoke-PageScript($Browser, [string] $Expression) {
    <# Evaluates JavaScript in the page and returns its value (JSON-compatible values only). #>
    $result = Invoke-Cdp $Browser 'Runtime.evaluate' @{ expression = $Expression; returnByValue = $true }
    if ($result.PSObject.Properties['exceptionDetails']) { throw "Page script failed: $($result.exceptionDetails.text)" }
    $result.result.value
}

function Stop-HeadlessBrowser($Browser) {
    if ($Browser.Socket) { $Browser.Socket.Dispose() }
    # The Debian launcher is a shell script: end the whole tree, not only the script.
    if ($Browser.Process -and -not $Browser.Process.HasExited) { $Browser.Process.Kill($true); $Browser.Process.WaitForExit(5000) | Out-Null }
}
