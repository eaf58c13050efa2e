# Connect-LogicAppAuth -UseDeviceAuthentication against the sandbox's Entra ID device-code endpoints. The person at the
# browser is the sandbox's test page (/_sandbox/device-codes/<user code>): it approves, declines or expires a code.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sandbox = Get-TestSandbox
    $subscriptionId = $sandbox.subscriptions[0].subscriptionId
    $connect = Get-SandboxConnectParameters $sandbox -As None
    $connect.UseDeviceAuthentication = $true
    $connect.TenantId = $sandbox.tenantId

    function Invoke-SandboxControl([string] $Method, [string] $Path, [hashtable] $Body) {
        $arguments = @('--silent', '--show-error', '--fail', '--cacert', $sandbox.certificatePath, '-X', $Method, "$($sandbox.endpoint)/_sandbox/$Path")
        if ($Body) { $arguments += @('-H', 'Content-Type: application/json', '--data-binary', ($Body | ConvertTo-Json -Compress)) }
        $answer = (& curl @arguments) -join "`n"
        if ($answer) { $answer | ConvertFrom-Json }
    }

    function Start-DeviceCodeSignIn([string] $After = '') {
        # Connect-LogicAppAuth -UseDeviceAuthentication (then $After, if it signed in) in a new runspace of this process,
        # with verbose and debug output on, so that every stream can be read afterwards.
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($ModulePath, $Connect, $After)
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                Import-Module $ModulePath
                Connect-LogicAppAuth @Connect
                if ($?) { & ([scriptblock]::Create($After)) }
            }).AddArgument($ModulePath).AddArgument($connect).AddArgument($After)
        [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke() }
    }

    function Wait-DeviceCodePrompt($SignIn) {
        # The code the person reads off the terminal: the first warning, as Connect-AzAccount shows it.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ($SignIn.PowerShell.Streams.Warning.Count -eq 0) {
            if ([DateTime]::UtcNow -gt $deadline -or $SignIn.Async.IsCompleted) { throw "No device-code prompt. Errors: $($SignIn.PowerShell.Streams.Error)" }
            Start-Sleep -Milliseconds 100
        }
        $message = $SignIn.PowerShell.Streams.Warning[0].Message
        if ($message -notmatch 'open the page (\S+) and enter the code (\w+)') { throw "Unexpected prompt: $message" }
        [pscustomobject]@{ Message = $message; Url = $Matches[1]; UserCode = $Matches[2] }
    }

    function Complete-DeviceCodeSignIn($SignIn) {
        $output = $SignIn.PowerShell.EndInvoke($SignIn.Async)
        $streams = $SignIn.PowerShell.Streams
        [pscustomobject]@{
            Output  = @($output)
            Errors  = @($streams.Error)
            Warning = @($streams.Warning.Message)
            # Every other stream as text, for the leak checks.
            Other   = (@($output | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue) + @($streams.Error | Out-String) + @($streams.Verbose.Message) +
                @($streams.Debug.Message) + @($streams.Information | Out-String) + @($streams.Progress | Out-String)) -join "`n"
        }
    }
}

Describe 'Connect-LogicAppAuth -UseDeviceAuthentication' {
    It 'shows the code and URL on the warning stream, signs in once the code is approved, and serves ARM and Graph from that one sign-in, leaking nothing' {
        $since = [DateTimeOffset]::UtcNow
        $signIn = Start-DeviceCodeSignIn -After "Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $subscriptionId; Get-ExpiringCredential -WithinDays 365"
        $prompt = Wait-DeviceCodePrompt $signIn
        $deviceCode = (Invoke-SandboxControl GET 'device-codes' | Where-Object userCode -eq $prompt.UserCode).deviceCode
        $deviceCode | Should -Not -BeNullOrEmpty
        Invoke-SandboxControl POST "device-codes/$($prompt.UserCode)" @{ action = 'approve'; principal = 'admin' }
        $result = Complete-DeviceCodeSignIn $signIn

        $result.Errors | Should -BeNullOrEmpty
        $prompt.Url | Should -BeLike "$($sandbox.endpoint)*"
        $context = $result.Output | Where-Object { $_ -is [LogicAppAuth.AuthContext] }
        $context.AuthenticationMethod | Should -Be 'DeviceCode'
        $context.TenantId | Should -Be $sandbox.tenantId
        @($result.Output | Where-Object { $_ -is [LogicAppAuth.ConnectorStatus] }).Count | Should -BeGreaterThan 5
        @($result.Output | Where-Object { $_ -is [LogicAppAuth.ExpiringCredential] }).Count | Should -BeGreaterThan 0

        # One sign-in: one device code asked for and one prompt, although ARM and Graph tokens were both used.
        $requests = @(Invoke-SandboxControl GET 'requests' | Where-Object { [DateTimeOffset]$_.time -ge $since })
        @($requests | Where-Object path -like '*/oauth2/v2.0/devicecode').Count | Should -Be 1
        @($requests | Where-Object { $_.path -like '/v1.0/*' -and $_.principal -eq 'admin' }).Count | Should -BeGreaterThan 0
        $result.Warning.Count | Should -Be 1

        # The user code is on the warning stream only; the device code and the tokens are nowhere.
        $result.Other | Should -Not -Match ([regex]::Escape($prompt.UserCode))
        foreach ($text in $result.Other, ($result.Warning -join "`n")) {
            $text | Should -Not -Match ([regex]::Escape($deviceCode))
            $text | Should -Not -Match 'eyJ[\w-]{10,}\.'
        }
    }

    It 'fails with DeviceCodeDeclined when the person declines' {
        $signIn = Start-DeviceCodeSignIn
        $prompt = Wait-DeviceCodePrompt $signIn
        Invoke-SandboxControl POST "device-codes/$($prompt.UserCode)" @{ action = 'decline' }
        $result = Complete-DeviceCodeSignIn $signIn
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'DeviceCodeDeclined,*'
        $result.Errors[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $result.Errors[0].Exception.Message | Should -Match 'declined.*Connect-LogicAppAuth -UseDeviceAuthentication'
        $result.Output | Should -BeNullOrEmpty
    }

    It 'fails with DeviceCodeExpired when nobody signs in before the code expires' {
        $signIn = Start-DeviceCodeSignIn
        $prompt = Wait-DeviceCodePrompt $signIn
        Invoke-SandboxControl POST "device-codes/$($prompt.UserCode)" @{ action = 'expire' }
        $result = Complete-DeviceCodeSignIn $signIn
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'DeviceCodeExpired,*'
        $result.Errors[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $result.Errors[0].Exception.Message | Should -Match 'expired.*Connect-LogicAppAuth -UseDeviceAuthentication'
        $result.Other | Should -Not -Match ([regex]::Escape($prompt.UserCode))
    }

    It 'stops within 2 seconds on Ctrl+C while it waits for the person' {
        $signIn = Start-DeviceCodeSignIn
        $null = Wait-DeviceCodePrompt $signIn
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $signIn.PowerShell.Stop()
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $signIn.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        $signIn.PowerShell.Dispose()
    }

    It 'writes no code or token to any file (a fresh pwsh with its own home and temp folders)' {
        $privateHome = Join-Path $TestDrive 'home'
        $privateTemp = Join-Path $TestDrive 'tmp'
        New-Item -ItemType Directory -Path $privateHome, $privateTemp | Out-Null
        $script = Join-Path $TestDrive 'sign-in.ps1'
        Set-Content $script -Value @'
param($ModulePath, $ReadyFile)
$ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
Import-Module $ModulePath
Connect-LogicAppAuth -UseDeviceAuthentication -TenantId $ready.tenantId -ResourceManagerUrl $ready.resourceManagerUrl -GraphUrl $ready.graphUrl -AuthorityHost $ready.authorityHost -TrustedCertificatePath $ready.certificatePath | Out-Null
$credentials = @(Get-ExpiringCredential -WithinDays 365)
"signed in; $($credentials.Count) credentials"
'@
        $before = @(Invoke-SandboxControl GET 'device-codes').userCode
        $start = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
        foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $script, $ModulePath, $sandbox.ReadyFile) { $start.ArgumentList.Add($argument) }
        $start.Environment['HOME'] = $privateHome
        $start.Environment['TMPDIR'] = $privateTemp
        $start.Environment['NO_COLOR'] = '1'
        foreach ($name in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME') { $start.Environment.Remove($name) | Out-Null }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 200
                $pending = @(Invoke-SandboxControl GET 'device-codes' | Where-Object userCode -notin $before)
            } until ($pending -or [DateTime]::UtcNow -gt $deadline -or $process.HasExited)
            $pending.Count | Should -Be 1
            Invoke-SandboxControl POST "device-codes/$($pending[0].userCode)" @{ action = 'approve'; principal = 'admin' }
            $process.WaitForExit(60000) | Should -BeTrue
        }
        finally { if (-not $process.HasExited) { $process.Kill() } }

        $shown = $stdout.Result -replace "`e\[[0-9;]*m", ''
        $shown | Should -Match 'signed in; [1-9]'
        $shown | Should -Match ([regex]::Escape($pending[0].userCode)) -Because 'the prompt is shown to the person'
        $stderr.Result -replace "`e\[[0-9;]*m", '' | Should -BeNullOrEmpty
        $files = @(Get-ChildItem $privateHome, $privateTemp -Recurse -File -Force)
        foreach ($file in $files) {
            $text = [System.IO.File]::ReadAllText($file.FullName)
            $text.Contains($pending[0].userCode) | Should -BeFalse -Because "$($file.FullName) must not hold the user code"
            $text.Contains($pending[0].deviceCode) | Should -BeFalse -Because "$($file.FullName) must not hold the device code"
            $text | Should -Not -Match 'eyJ[\w-]{10,}\.' -Because "$($file.FullName) must not hold a token"
        }
    }
}
