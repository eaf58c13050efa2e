BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $runbook = Join-Path $PSScriptRoot '../../samples/runbooks/Invoke-LogicAppAuthCheck.ps1'
    $modulesRoot = Split-Path (Split-Path (Split-Path $ModulePath))

    function Invoke-Runbook {
        <# The runbook in a fresh pwsh -NoProfile, as Automation runs it: the module found on PSModulePath, the
           managed identity served at IDENTITY_ENDPOINT with IDENTITY_HEADER (both from the sandbox's ready-file). #>
        param([string[]] $Arguments, [hashtable] $Environment = @{})
        $variables = @{
            IDENTITY_ENDPOINT = $sandbox.identityEndpoint
            IDENTITY_HEADER   = $sandbox.identityHeader
            PSModulePath      = $modulesRoot + [IO.Path]::PathSeparator + $env:PSModulePath
            # The endpoints come from the host (Automation variables there), never from job parameters.
            LOGICAPPAUTH_RESOURCE_MANAGER_URL = $sandbox.resourceManagerUrl
            LOGICAPPAUTH_GRAPH_URL = $sandbox.graphUrl
            LOGICAPPAUTH_TRUSTED_CERTIFICATE_PATH = $sandbox.certificatePath
        }
        foreach ($name in $Environment.Keys) { $variables[$name] = $Environment[$name] }
        $saved = @{}
        foreach ($name in $variables.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $variables[$name]) }
        try {
            $stdout = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $runbook @Arguments 2>$null
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($stdout -join "`n") }
        }
        finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
    }

    $run = Invoke-Runbook -Arguments @('-SubscriptionId', $prod, '-FailOn', 'Error')
    $report = $run.Text | ConvertFrom-Json
}

Describe 'The Automation runbook (samples/runbooks/Invoke-LogicAppAuthCheck.ps1)' {
    It 'takes no endpoint or certificate as a job parameter' {
        $parameters = (Get-Command $runbook).Parameters.Keys
        foreach ($name in 'ResourceManagerUrl', 'GraphUrl', 'AuthorityHost', 'TrustedCertificatePath') { $parameters | Should -Not -Contain $name }
    }

    It 'signs in with the managed identity and writes one JSON report to the output stream' {
        @($run.Text -split "`n").Count | Should -Be 1
        $report.report | Should -Be 'LogicAppAuth connector check'
        $report.scope.subscriptionId | Should -Be $prod
        $report.summary.connections | Should -BeGreaterThan 10
        $report.summary.scanErrors | Should -Be 0
    }

    It 'reports status, diagnosis and expiry' {
        $report.summary.notConnected | Should -BeGreaterThan 0
        $report.summary.diagnosed | Should -BeTrue
        $report.findings.name | Should -Contain 'office365-expired'
        ($report.findings | Where-Object name -eq 'office365-expired').cause | Should -Be 'OAuthTokenExpired'
        $report.credentials.displayName | Should -Contain 'app-logic-keyvault-reader'
        ($report.credentials | Where-Object displayName -eq 'app-logic-keyvault-reader').usedBy | Should -Be 'keyvault-sp-secret-expired'
        $report.summary.credentialsExpired | Should -BeGreaterThan 0
    }

    It 'exits non-zero when there are findings of the chosen severity, and zero when told never to fail' {
        $run.ExitCode | Should -Be 2
        (Invoke-Runbook -Arguments @('-SubscriptionId', $prod, '-FailOn', 'Never')).ExitCode | Should -Be 0
    }

    It 'stays under the 1 MiB job-stream limit, trimming detail when asked for a smaller report' {
        [Text.Encoding]::UTF8.GetByteCount($run.Text) | Should -BeLessThan 1MB
        $small = Invoke-Runbook -Arguments @('-SubscriptionId', $prod, '-FailOn', 'Never', '-MaxReportBytes', '4096')
        [Text.Encoding]::UTF8.GetByteCount($small.Text) | Should -BeLessOrEqual 4096
        $trimmed = $small.Text | ConvertFrom-Json
        $trimmed.truncated | Should -Not -BeNullOrEmpty
        $trimmed.summary.findingsError | Should -Be $report.summary.findingsError
    }

    It 'writes no token or secret' {
        $run.Text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
        $run.Text | Should -Not -Match ([regex]::Escape($sandbox.identityHeader))
    }

    It 'fails with exit code 3 when the managed identity cannot sign in' {
        $failed = Invoke-Runbook -Arguments @('-SubscriptionId', $prod) -Environment @{ IDENTITY_HEADER = 'wrong-header' }
        $failed.ExitCode | Should -Be 3
        $failed.Text | Should -BeNullOrEmpty
    }
}
