# Get-LogicConnectorConsentLink and Complete-LogicConnectorConsent: link -> browser -> confirm -> healthy, on a sandbox of their own.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = $Contoso.SubscriptionId
    $connections = "/subscriptions/$sub/resourceGroups/rg-integration/providers/Microsoft.Web/connections"
    $megan = 'a1b2c3d4-0001-4e5f-8a9b-000000000001'
    $parameters = Get-SandboxConnectParameters -Sandbox $sb
    Connect-LogicAppAuth @parameters | Out-Null

    # Stands in for the user's browser: follows the link, signs in (the sandbox's consent page) and returns where it lands.
    function Open-InBrowser([string] $Link) { (& curl --silent --show-error --cacert $sb.certificatePath -o /dev/null -w '%{redirect_url}' $Link) -join '' }
    function Get-Writes { @(Get-SandboxRequestLog -Sandbox $sb | Where-Object { $_.method -in 'PUT', 'PATCH', 'DELETE' -or $_.path -like '*/confirmConsentCode' }) }
}

AfterAll {
    Disconnect-LogicAppAuth
    $sb | Stop-LogicAppAuthSandbox
}

Describe 'Headless re-consent' {
    It 'gets a link, the browser lands with a code, and the confirmed connection is healthy' {
        $link = Get-LogicConnectorConsentLink -ResourceGroupName rg-integration -Name office365-expired -SubscriptionId $sub -ObjectId $megan -RedirectUri 'https://localhost/consented'
        $link | Should -BeOfType ([LogicAppAuth.ConsentLink])
        $link.ResourceId | Should -Be "$connections/office365-expired"
        $link.Status | Should -Be 'Unauthenticated'
        $link.ParameterName | Should -Be 'token'
        $link.ObjectId | Should -Be $megan
        $link.TenantId | Should -Be $sb.tenantId
        $landed = Open-InBrowser $link.Link
        $landed | Should -BeLike 'https://localhost/consented?code=*'

        $result = $link | Complete-LogicConnectorConsent -RedirectUrl $landed
        $result | Should -BeOfType ([LogicAppAuth.ConsentResult])
        $result.Status | Should -Be 'Connected'
        $result.Healthy | Should -BeTrue
        $result.AuthenticatedUser | Should -Be 'MeganB@contoso.onmicrosoft.com'
        $result.LiveTest | Should -Be 'testLinks GET 200'
        (Get-LogicConnectorStatus -ResourceId $link.ResourceId).Status | Should -Be 'Connected'
        if (Get-Command Test-LogicConnectorAuth -ErrorAction SilentlyContinue) {
            (Test-LogicConnectorAuth -ResourceId $link.ResourceId).Cause | Should -Be 'None'
        }
    }

    It 'takes the code alone with -Code, for a connection that was never authorized' {
        $link = Get-LogicConnectorConsentLink -ResourceId "$connections/teams-unauthenticated" -ObjectId $megan -RedirectUri 'http://localhost/'
        $code = ([uri](Open-InBrowser $link.Link)).Query.TrimStart('?').Split('&') | Where-Object { $_ -like 'code=*' } | ForEach-Object { [uri]::UnescapeDataString($_.Substring(5)) }
        $result = Complete-LogicConnectorConsent -ResourceId $link.ResourceId -Code $code -ObjectId $megan
        $result.Healthy | Should -BeTrue
    }

    It 'takes the code as a SecureString, and by default sends the browser where nothing can listen' {
        $link = Get-LogicConnectorConsentLink -ResourceId "$connections/office365-expired" -ObjectId $megan
        $landed = Open-InBrowser $link.Link
        $landed | Should -BeLike 'https://logicappauth.invalid/consent?code=*'
        $code = ([regex]::Match($landed, 'code=([^&]+)')).Groups[1].Value
        $secure = ConvertTo-SecureString ([uri]::UnescapeDataString($code)) -AsPlainText -Force
        (Complete-LogicConnectorConsent -ResourceId $link.ResourceId -Code $secure -ObjectId $megan -WarningAction SilentlyContinue).Status | Should -Be 'Connected'
        (Get-Command Complete-LogicConnectorConsent).Parameters.Code.ParameterType | Should -Be ([securestring])
    }

    It 'refuses a used or invalid code with an error that does not show the code' {
        $link = Get-LogicConnectorConsentLink -ResourceId "$connections/sharepoint-revoked" -ObjectId $megan
        $landed = Open-InBrowser $link.Link
        $link | Complete-LogicConnectorConsent -RedirectUrl $landed | Out-Null
        $code = ([regex]::Match($landed, 'code=([^&]+)')).Groups[1].Value
        $link | Complete-LogicConnectorConsent -RedirectUrl $landed -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidConsentCode*'
        $failed[0].Exception.Message | Should -BeLike '*Get-LogicConnectorConsentLink*'
        "$($failed[0])" | Should -Not -BeLike "*$code*"
        $failed[0].TargetObject | Should -Be $link.ResourceId
    }

    It 'reports an error the identity provider put in the redirect, and a URL without a code' {
        Complete-LogicConnectorConsent -ResourceId "$connections/office365-guest" -RedirectUrl 'http://localhost/?error=access_denied&error_description=User+declined' -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConsentDenied*'
        $failed[0].Exception.Message | Should -BeLike '*access_denied: User declined*'
        Complete-LogicConnectorConsent -ResourceId "$connections/office365-guest" -RedirectUrl 'http://localhost/' -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConsentCodeMissing*'
    }

    It 'never writes the link or the code to the verbose, debug or error streams' {
        $records = @(Get-LogicConnectorConsentLink -ResourceId "$connections/outlook-disabled-user" -ObjectId $megan -Verbose -Debug 4>&1 5>&1 -ErrorAction Continue)
        $link = $records | Where-Object { $_ -is [LogicAppAuth.ConsentLink] }
        $state = ([regex]::Match($link.Link, 'state=([0-9a-f]+)')).Groups[1].Value
        $state | Should -Not -BeNullOrEmpty
        $others = $records | Where-Object { $_ -isnot [LogicAppAuth.ConsentLink] } | ForEach-Object { "$_" }
        $others | Should -Not -BeNullOrEmpty
        $others | ForEach-Object { $_ | Should -Not -BeLike "*$state*" }

        $landed = Open-InBrowser $link.Link
        $code = ([regex]::Match($landed, 'code=([^&]+)')).Groups[1].Value
        $streams = @($link | Complete-LogicConnectorConsent -RedirectUrl $landed -Verbose -Debug 4>&1 5>&1) + @($link | Complete-LogicConnectorConsent -RedirectUrl $landed -Verbose -ErrorAction Continue 4>&1 2>&1)
        $streams | Where-Object { $_ -isnot [LogicAppAuth.ConsentResult] } | ForEach-Object { "$_" | Should -Not -BeLike "*$code*" }
    }

    It '-WhatIf sends no confirmConsentCode' {
        $link = Get-LogicConnectorConsentLink -ResourceId "$connections/office365-disabled-expired" -ObjectId $megan
        $landed = Open-InBrowser $link.Link
        Clear-SandboxRequestLog -Sandbox $sb
        $link | Complete-LogicConnectorConsent -RedirectUrl $landed -WhatIf | Should -BeNullOrEmpty
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'says a connector without OAuth cannot be consented to' {
        Get-LogicConnectorConsentLink -ResourceId "$connections/servicebus-mi" -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConsentNotApplicable*'
        $failed[0].Exception.Message | Should -BeLike '*Set-LogicConnectorManagedIdentity*'
    }
}

Describe 'A test link that climbs out of its connection' {
    BeforeAll {
        # Decoded and normalized, this path is the connection office365-healthy, not a path under office365-disabled-expired.
        $target = "$connections/office365-disabled-expired"
        $escape = "$target/x/%2e%2e/%2E%2E/office365-healthy?api-version=2016-06-01"
        function Get-Escaped { @(Get-SandboxRequestLog -Sandbox $sb | Where-Object { $_.path -like '*office365-healthy*' -or $_.path -like "$target/x*" }) }
    }

    It 'Test-LogicConnectorAuth -Live does not follow it, nor one whose encoded backslashes climb out' {
        # System.Uri keeps %5C encoded, so only a check of the decoded segments sees the backslashes.
        Set-SandboxTestLink -Sandbox $sb -ConnectionId $target -RequestUri "$($sb.endpoint)$target/x%5C..%5C..%5Coffice365-healthy?api-version=2016-06-01"
        Clear-SandboxRequestLog -Sandbox $sb
        (Test-LogicConnectorAuth -ResourceId $target -Live).LiveTest | Should -Not -BeLike 'testLinks*'
        Get-Escaped | Should -BeNullOrEmpty

        Set-SandboxTestLink -Sandbox $sb -ConnectionId $target -RequestUri $escape
        Clear-SandboxRequestLog -Sandbox $sb
        $result = Test-LogicConnectorAuth -ResourceId $target -Live
        Get-Escaped | Should -BeNullOrEmpty
        $result.LiveTest | Should -Not -BeLike 'testLinks*'
    }

    It 'Complete-LogicConnectorConsent does not follow it' {
        $link = Get-LogicConnectorConsentLink -ResourceId $target -ObjectId $megan
        $landed = Open-InBrowser $link.Link
        Set-SandboxTestLink -Sandbox $sb -ConnectionId $target -RequestUri $escape
        Clear-SandboxRequestLog -Sandbox $sb
        $result = $link | Complete-LogicConnectorConsent -RedirectUrl $landed -WarningAction SilentlyContinue
        Get-Escaped | Should -BeNullOrEmpty
        $result.LiveTest | Should -Be 'testLinks[0] is not under the connection; not followed'
    }
}
