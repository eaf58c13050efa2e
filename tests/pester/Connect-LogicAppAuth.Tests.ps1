BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
}
Describe 'Connect-LogicAppAuth' {
    AfterEach { Disconnect-LogicAppAuth }

    It 'signs in as a service principal through the client-credentials flow' {
        $connect = Get-SandboxConnectParameters $sandbox
        $context = Connect-LogicAppAuth @connect
        $context | Should -BeOfType ([LogicAppAuth.AuthContext])
        $context.AuthenticationMethod | Should -Be 'ServicePrincipalSecret'
        $context.TenantId | Should -Be $sandbox.servicePrincipal.tenantId
        $context.Account | Should -Be $sandbox.servicePrincipal.clientId
        $context.TrustedCertificateThumbprint | Should -Not -BeNullOrEmpty
        $tokenRequests = Get-SandboxRequestLog $sandbox | Where-Object path -like "*/oauth2/v2.0/token"
        $tokenRequests | Should -Not -BeNullOrEmpty
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod).Count | Should -BeGreaterThan 5
    }

    It 'fails with an AuthenticationError that says what to check when the secret is wrong' {
        $parameters = Get-SandboxConnectParameters $sandbox
        $parameters.ClientSecret = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        $caught = $null
        try { Connect-LogicAppAuth @parameters } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $caught.Exception.Message | Should -Match 'client id and secret'
        $caught.Exception.Message | Should -Match 'AADSTS7000215'
        $caught.Exception.Message | Should -Not -Match 'not-the-secret'
    }

    It 'a failed Connect clears the earlier session and says so; later calls are refused until a Connect succeeds' {
        $connect = Get-SandboxConnectParameters $sandbox
        Connect-LogicAppAuth @connect | Out-Null
        $wrong = Get-SandboxConnectParameters $sandbox
        $wrong.ClientSecret = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        $caught = $null
        try { Connect-LogicAppAuth @wrong } catch { $caught = $_ }
        $caught.Exception.Message | Should -BeLike '*The earlier session was cleared*'

        Clear-SandboxRequestLog -Sandbox $sandbox
        $refused = $null
        try { Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -ErrorAction Continue } catch { $refused = $_ }
        $refused.FullyQualifiedErrorId | Should -BeLike 'NotConnected,*'
        $refused.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $refused.Exception.Message | Should -BeLike '*Run Connect-LogicAppAuth again*'
        @(Get-SandboxRequestLog -Sandbox $sandbox) | Should -BeNullOrEmpty

        Connect-LogicAppAuth @connect | Out-Null
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod).Count | Should -BeGreaterThan 5
    }

    It 'asks for tokens of the custom endpoint''s own audience, read from its /metadata/endpoints' {
        Clear-SandboxRequestLog -Sandbox $sandbox
        $connect = Get-SandboxConnectParameters $sandbox
        Connect-LogicAppAuth @connect | Out-Null
        @(Get-SandboxRequestLog -Sandbox $sandbox | Where-Object path -eq '/metadata/endpoints') | Should -Not -BeNullOrEmpty
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod).Count | Should -BeGreaterThan 5
    }

    It 'never asks for a public-cloud token to send to a custom endpoint: <Case>' -TestCases @(
        @{ Case = 'Resource Manager'; Extra = @{ ResourceManagerAudience = 'https://management.azure.com/' }; Parameter = '-ResourceManagerAudience' }
        @{ Case = 'Graph'; Extra = @{ GraphAudience = 'https://graph.microsoft.com' }; Parameter = '-GraphAudience' }
    ) {
        param($Extra, $Parameter)
        $connect = Get-SandboxConnectParameters $sandbox
        Clear-SandboxRequestLog -Sandbox $sandbox
        $caught = $null
        try { Connect-LogicAppAuth @connect @Extra } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'PublicCloudAudience,*'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $caught.Exception.Message | Should -BeLike "*public-cloud audience*$Parameter*"
        @(Get-SandboxRequestLog -Sandbox $sandbox | Where-Object path -like '*/oauth2/*') | Should -BeNullOrEmpty
    }

    It 'uses -AccessToken and -MicrosoftGraphAccessToken, given as strings or SecureStrings' {
        $connect = Get-SandboxConnectParameters $sandbox -As AccessToken
        $context = Connect-LogicAppAuth @connect
        $context.AuthenticationMethod | Should -Be 'AccessToken'
        $context.TenantId | Should -Be $sandbox.tenantId
        @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod).Count | Should -BeGreaterThan 5

        $parameters = Get-SandboxConnectParameters $sandbox -As AccessToken
        $parameters.AccessToken = ConvertTo-SecureString $sandbox.accessToken -AsPlainText -Force
        (Connect-LogicAppAuth @parameters).AuthenticationMethod | Should -Be 'AccessToken'
    }

    It 'signs in with -Identity through the IDENTITY_ENDPOINT / IDENTITY_HEADER endpoint' {
        $result = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath, $ReadyFile, $Prod)
            $ErrorActionPreference = 'Stop'
            Import-Module $ModulePath
            $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
            $context = Connect-LogicAppAuth -Identity -ResourceManagerUrl $ready.resourceManagerUrl -TrustedCertificatePath $ready.certificatePath
            [pscustomobject]@{ Method = $context.AuthenticationMethod; Rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $Prod).Count }
        } -ArgumentList $ModulePath, $sandbox.ReadyFile, $prod -Environment @{ IDENTITY_ENDPOINT = $sandbox.identityEndpoint; IDENTITY_HEADER = $sandbox.identityHeader }
        $result | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $result.Method | Should -Be 'ManagedIdentity'
        $result.Rows | Should -BeGreaterThan 5
        Get-SandboxRequestLog $sandbox | Where-Object path -eq '/msi/token' | Should -Not -BeNullOrEmpty
    }

    It 'refuses a server whose certificate is not the trusted one, with a TLS error' {
        $other = Join-Path $TestDrive 'other.pem'
        $key = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $key, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
        Set-Content $other $certificate.ExportCertificatePem()

        $parameters = Get-SandboxConnectParameters $sandbox
        $parameters.TrustedCertificatePath = $other
        $caught = $null
        try { Connect-LogicAppAuth @parameters } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'TlsValidationFailed,*'
        $caught.CategoryInfo.Category | Should -Be 'SecurityError'
        $caught.Exception.Message | Should -Match 'TrustedCertificatePath'
    }

    It 'refuses the sandbox without -TrustedCertificatePath: validation is never switched off' {
        $parameters = Get-SandboxConnectParameters $sandbox -As AccessToken
        $parameters.Remove('TrustedCertificatePath')
        Connect-LogicAppAuth @parameters | Out-Null
        { Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod } | Should -Throw -ErrorId 'TlsValidationFailed,*'
    }

    It 'rejects a subscription id that is not a GUID' {
        { $connect = Get-SandboxConnectParameters $sandbox -As AccessToken; Connect-LogicAppAuth @connect -SubscriptionId 'prod' } |
            Should -Throw -ErrorId 'InvalidSubscriptionId,*'
    }

    It 'fails before any Connect with one error that names Connect-LogicAppAuth when the default chain finds nothing' {
        $result = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath)
            Import-Module $ModulePath
            try { Get-LogicConnectorStatus -ResourceGroupName rg-integration; 'no error' }
            catch { [pscustomobject]@{ FullyQualifiedErrorId = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message } }
        } -ArgumentList $ModulePath -Environment @{ AZURE_CLIENT_ID = $null; IDENTITY_ENDPOINT = $null; MSI_ENDPOINT = $null }
        @($result).Count | Should -Be 1
        $result.FullyQualifiedErrorId | Should -BeLike 'NoCredentialAvailable,*'
        $result.Category | Should -Be 'AuthenticationError'
        $result.Message | Should -Match 'Connect-LogicAppAuth'
    }

    It 'answers Azure''s 401 codes as AuthenticationError records: <Case>' -TestCases @(
        @{ Case = 'expired token'; Lifetime = -600; Tenant = $null; ErrorId = 'ExpiredAuthenticationToken' }
        @{ Case = 'token of another tenant'; Lifetime = 3600; Tenant = '9f8e7d6c-0000-4000-8000-000000000000'; ErrorId = 'InvalidAuthenticationTokenTenant' }
    ) {
        param($Case, $Lifetime, $Tenant, $ErrorId)
        $token = New-SandboxToken -Sandbox $sandbox -LifetimeSeconds $Lifetime -TenantId $Tenant
        $parameters = Get-SandboxConnectParameters $sandbox -As None
        Connect-LogicAppAuth @parameters -AccessToken $token | Out-Null
        $errors = try {
            Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures
        }
        catch { $_ }
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $errors[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errors[0].Exception.Message | Should -Match 'Connect-LogicAppAuth'
    }

    It 'answers 403 AuthorizationFailed as PermissionDenied naming the scope, for a principal without a role' {
        $connect = Get-SandboxConnectParameters $sandbox -Principal norole; Connect-LogicAppAuth @connect | Out-Null
        Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $prod -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AuthorizationFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].Exception.Message | Should -Match 'rg-integration'
    }

    It 'never writes a token or secret to any stream with -Verbose -Debug' {
        $secret = $sandbox.servicePrincipal.clientSecret
        $transcript = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath, $ReadyFile, $Prod)
            $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
            Import-Module $ModulePath
            $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'
            $secure = ConvertTo-SecureString $ready.servicePrincipal.clientSecret -AsPlainText -Force
            Connect-LogicAppAuth -ServicePrincipal -TenantId $ready.servicePrincipal.tenantId -ClientId $ready.servicePrincipal.clientId -ClientSecret $secure `
                -ResourceManagerUrl $ready.resourceManagerUrl -AuthorityHost $ready.authorityHost -TrustedCertificatePath $ready.certificatePath -Verbose -Debug *>&1 | Out-String
            Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $Prod -Verbose -Debug *>&1 | Format-List * | Out-String
            Get-LogicConnectorStatus -ResourceGroupName does-not-exist -SubscriptionId $Prod -Verbose -Debug *>&1 | Format-List * -Force | Out-String
            Connect-LogicAppAuth -AccessToken $ready.accessToken -MicrosoftGraphAccessToken $ready.microsoftGraphAccessToken -ResourceManagerUrl $ready.resourceManagerUrl `
                -TrustedCertificatePath $ready.certificatePath -Verbose -Debug *>&1 | Format-List * -Force | Out-String
        } -ArgumentList $ModulePath, $sandbox.ReadyFile, $prod
        $text = $transcript -join "`n"
        $text | Should -Match 'office365-expired'
        $text | Should -Not -Match ([regex]::Escape($secret))
        $text | Should -Not -Match ([regex]::Escape($sandbox.accessToken))
        $text | Should -Not -Match ([regex]::Escape($sandbox.microsoftGraphAccessToken))
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
    }
}

Describe 'Disconnect-LogicAppAuth' {
    It 'forgets the session so that the next call uses the default chain' {
        $result = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath, $ReadyFile)
            Import-Module $ModulePath
            $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
            Connect-LogicAppAuth -AccessToken $ready.accessToken -ResourceManagerUrl $ready.resourceManagerUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
            Disconnect-LogicAppAuth
            try { Get-LogicConnectorStatus -ResourceGroupName rg-integration; 'no error' } catch { $_.FullyQualifiedErrorId }
        } -ArgumentList $ModulePath, $sandbox.ReadyFile -Environment @{ IDENTITY_ENDPOINT = $null; MSI_ENDPOINT = $null }
        $result | Should -BeLike 'NoCredentialAvailable,*'
    }
}

Describe 'Sign-in per runspace' {
    It 'keeps a runspace''s Connect to that runspace; one without its own uses the first runspace''s; Disconnect clears only its own' {
        # In a fresh process, so that its own runspace is the first to import the module. Each runspace lists a
        # different resource group; the sandbox's request log says which principal read which group.
        $result = Invoke-FreshPwsh -ScriptBlock {
            param($ModulePath, $Common)
            $ErrorActionPreference = 'Stop'
            . $Common
            Import-Module $ModulePath
            $sb = Get-TestSandbox
            $groups = @{ 'rg-integration' = $Contoso.SubscriptionId; 'rg-standard' = $Contoso.SubscriptionId; 'rg-empty' = $Contoso.SubscriptionId; 'rg-devtest' = $Contoso.DevTestSubscriptionId }
            function Get-ReadBy {
                # 'group=principal' for each resource group read since the last call, e.g. 'rg-standard=reader'.
                $pairs = foreach ($entry in @(Get-SandboxRequestLog -Sandbox $sb -Clear)) {
                    if ($entry.path -match '/resourceGroups/([^/]+)') { "$($Matches[1])=$($entry.principal)" }
                }
                @($pairs | Sort-Object -Unique)
            }

            $admin = Get-SandboxConnectParameters $sb -Principal admin
            Connect-LogicAppAuth @admin | Out-Null
            Clear-SandboxRequestLog -Sandbox $sb

            # Two parallel runspaces: one signs in as reader, the other does not sign in.
            $parallelErrors = @('reader', 'none' | ForEach-Object -ThrottleLimit 2 -UseNewRunspace -Parallel {
                . $using:Common
                Import-Module $using:ModulePath
                $groups = $using:groups
                if ($_ -eq 'reader') {
                    $reader = Get-SandboxConnectParameters (Get-TestSandbox) -Principal reader
                    Connect-LogicAppAuth @reader | Out-Null
                    Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $groups['rg-standard'] -NoResourceGraph -WarningAction SilentlyContinue | Out-Null
                }
                else {
                    Get-LogicConnectorStatus -ResourceGroupName rg-devtest -SubscriptionId $groups['rg-devtest'] -NoResourceGraph | Out-Null
                }
            } 2>&1)
            $parallel = Get-ReadBy

            # The first runspace still works as admin after the reader's Connect.
            Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $groups['rg-integration'] -NoResourceGraph | Out-Null
            $first = Get-ReadBy

            # A thread job signs in as norole, then disconnects: it goes back to the process default (admin).
            $jobErrors = @(Start-ThreadJob {
                    . $using:Common
                    Import-Module $using:ModulePath
                    $groups = $using:groups
                    $norole = Get-SandboxConnectParameters (Get-TestSandbox) -Principal norole
                    Connect-LogicAppAuth @norole | Out-Null
                    Get-LogicConnectorStatus -ResourceGroupName rg-empty -SubscriptionId $groups['rg-empty'] -NoResourceGraph -ErrorAction SilentlyContinue | Out-Null
                    Disconnect-LogicAppAuth
                    Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $groups['rg-standard'] -NoResourceGraph | Out-Null
                } | Receive-Job -Wait -AutoRemoveJob 2>&1)
            $job = Get-ReadBy

            # Disconnect in the first runspace clears the process default too: a thread job without its own Connect
            # now finds only the default credential chain (empty here).
            Disconnect-LogicAppAuth
            $afterDefaultCleared = Start-ThreadJob {
                Import-Module $using:ModulePath
                $groups = $using:groups
                try { Get-LogicConnectorStatus -ResourceGroupName rg-empty -SubscriptionId $groups['rg-empty'] -NoResourceGraph | Out-Null; 'no error' }
                catch { $_.FullyQualifiedErrorId }
            } | Receive-Job -Wait -AutoRemoveJob

            [pscustomobject]@{
                Parallel = $parallel; First = $first; Job = $job; AfterDefaultCleared = $afterDefaultCleared
                Errors   = @($parallelErrors + $jobErrors | ForEach-Object { "$_" })
            }
        } -ArgumentList $ModulePath, (Join-Path $PSScriptRoot 'common.ps1') -Environment @{ AZURE_CLIENT_ID = $null; IDENTITY_ENDPOINT = $null; MSI_ENDPOINT = $null }

        $result | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $result.Errors | Should -BeNullOrEmpty
        $result.Parallel | Should -Be @('rg-devtest=admin', 'rg-standard=reader')
        $result.First | Should -Be @('rg-integration=admin')
        $result.Job | Should -Be @('rg-empty=norole', 'rg-standard=admin')
        $result.AfterDefaultCleared | Should -BeLike 'NoCredentialAvailable,*'
    }
}
