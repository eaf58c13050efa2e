# Coexistence with other versions of the Azure SDK in the same session: Azure.Core 1.38.0, Azure.Identity 1.11.4 and
# Microsoft.Identity.Client 4.60.4 (NuGet packages the test project downloads; versions in Versions.props) are loaded into the Default load context
# with Add-Type before, or after, the module is imported, in a fresh pwsh each. The module signs in with a service
# principal secret (its own Azure.Identity and MSAL) and lists connections; the old MSAL gets a token from the same
# sandbox; the old Azure.Identity loads (it asks for MSAL 4.61.3, so with 4.60.4 beside it only its types are used).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sandbox = Get-TestSandbox
    $nuget = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    # MSAL needs Microsoft.IdentityModel.Abstractions (6.35 or later) in the Default context too: any version the cache holds.
    $abstractions = Get-ChildItem (Join-Path $nuget 'microsoft.identitymodel.abstractions') -Directory |
        Sort-Object { [version] ($_.Name -replace '-.*$', '') } | Select-Object -Last 1
    $oldAssemblies = @(
        (Join-Path $abstractions.FullName 'lib/netstandard2.0/Microsoft.IdentityModel.Abstractions.dll')
        (Join-Path $nuget "azure.core/$(Get-PinnedVersion CoexistenceAzureCoreVersion)/lib/netstandard2.0/Azure.Core.dll")
        (Join-Path $nuget "microsoft.identity.client/$(Get-PinnedVersion CoexistenceMsalVersion)/lib/net6.0/Microsoft.Identity.Client.dll")
        (Join-Path $nuget "azure.identity/$(Get-PinnedVersion CoexistenceAzureIdentityVersion)/lib/netstandard2.0/Azure.Identity.dll")
    )

    $script:runBoth = {
        param($ModulePath, $ReadyFile, [string[]] $OldAssemblies, [bool] $OldFirst)
        $ErrorActionPreference = 'Stop'
        $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
        $sp = $ready.principals.admin
        if ($OldFirst) { $OldAssemblies | ForEach-Object { Add-Type -Path $_ } }
        Import-Module $ModulePath
        Connect-LogicAppAuth -ServicePrincipal -TenantId $sp.tenantId -ClientId $sp.clientId -ClientSecret (ConvertTo-SecureString $sp.clientSecret -AsPlainText -Force) `
            -ResourceManagerUrl $ready.resourceManagerUrl -GraphUrl $ready.graphUrl -AuthorityHost $ready.authorityHost -TrustedCertificatePath $ready.certificatePath | Out-Null
        $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $ready.subscriptions[0].subscriptionId)
        if (-not $OldFirst) { $OldAssemblies | ForEach-Object { Add-Type -Path $_ } }

        # The old MSAL, in the Default context, signs in as the same principal against the same authority.
        # (The process trusts the sandbox's certificate through SSL_CERT_FILE; validation stays on.)
        $app = [Microsoft.Identity.Client.ConfidentialClientApplicationBuilder]::Create($sp.clientId).WithClientSecret($sp.clientSecret).
            WithAuthority($ready.authorityHost.TrimEnd('/') + '/' + $sp.tenantId, $false).WithInstanceDiscovery($false).Build()
        $token = $app.AcquireTokenForClient([string[]] @($ready.resourceManagerUrl.TrimEnd('/') + '/.default')).ExecuteAsync().GetAwaiter().GetResult()
        # The old Azure.Core and Azure.Identity types work.
        $options = [Azure.Identity.ClientSecretCredentialOptions]::new()
        $options.AuthorityHost = [uri] $ready.authorityHost
        $group = [Azure.Core.ResourceIdentifier]::new("/subscriptions/$($sp.tenantId)/resourceGroups/rg-old")
        # The module still works after the old copies were used.
        $again = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $ready.subscriptions[0].subscriptionId)

        [pscustomobject]@{
            Rows          = $rows.Count
            RowsAgain     = $again.Count
            OldMsalToken  = $token.AccessToken.Split('.').Count
            OldMsalSource = [string] $token.AuthenticationResultMetadata.TokenSource
            OldOptions    = [string] $options.AuthorityHost
            OldIdentifier = $group.ResourceGroupName
            Assemblies    = @([System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object {
                    $context = $_
                    $_.Assemblies | Where-Object { $_.GetName().Name -in 'Azure.Core', 'Azure.Identity', 'Microsoft.Identity.Client' } |
                        ForEach-Object { '{0} {1} @ {2}' -f $_.GetName().Name, $_.GetName().Version, $context }
                })
        }
    }
}

Describe 'Other Azure SDK versions in the session' {
    It 'both work when the old Azure.Core, Azure.Identity and MSAL are loaded <When> the module' -TestCases @(
        @{ When = 'before'; OldFirst = $true }
        @{ When = 'after'; OldFirst = $false }
    ) {
        param($When, $OldFirst)
        $oldAssemblies | ForEach-Object { $_ | Should -Exist }
        $report = Invoke-FreshPwsh -ScriptBlock $runBoth -ArgumentList $ModulePath, $sandbox.ReadyFile, $oldAssemblies, $OldFirst -Environment @{ SSL_CERT_FILE = $sandbox.certificatePath }
        $failures = @($report | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        if ($failures) { throw ($failures | Out-String) }

        $report.Rows | Should -BeGreaterThan 10
        $report.RowsAgain | Should -Be $report.Rows
        $report.OldMsalToken | Should -Be 3
        $report.OldMsalSource | Should -Be 'IdentityProvider'
        $report.OldOptions.TrimEnd('/') | Should -Be $sandbox.authorityHost.TrimEnd('/')
        $report.OldIdentifier | Should -Be 'rg-old'

        $default = '"Default" System.Runtime.Loader.DefaultAssemblyLoadContext #0'
        $private = 'LogicAppAuth dependency load context'
        $report.Assemblies | Should -Contain "Azure.Core $(Get-PinnedVersion CoexistenceAzureCoreVersion).0 @ $default"
        $report.Assemblies | Should -Contain "Azure.Identity $(Get-PinnedVersion CoexistenceAzureIdentityVersion).0 @ $default"
        $report.Assemblies | Should -Contain "Microsoft.Identity.Client $(Get-PinnedVersion CoexistenceMsalVersion).0 @ $default"
        # Only the old copies are in the Default context; the module's own are in its private context, and newer.
        @($report.Assemblies | Where-Object { $_ -like "*@ $default" }).Count | Should -Be 3
        foreach ($name in 'Azure.Core', 'Microsoft.Identity.Client') {
            $own = @($report.Assemblies | Where-Object { $_ -like "$name * @ $private" })
            $own.Count | Should -Be 1
            $ownVersion = [version] $own[0].Split(' ')[1]
            $oldVersion = [version] (@($report.Assemblies | Where-Object { $_ -like "$name * @ $default" })[0].Split(' ')[1])
            $ownVersion | Should -BeGreaterThan $oldVersion
        }
        # The module's Azure.Identity, if it loads as an assembly of its own, is in the private context too.
        @($report.Assemblies | Where-Object { $_ -like 'Azure.Identity *' -and $_ -notlike "*@ $default" -and $_ -notlike "*@ $private" }) | Should -BeNullOrEmpty
    }
}
