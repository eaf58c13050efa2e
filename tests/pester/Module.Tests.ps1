BeforeDiscovery { }
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sandbox = Get-TestSandbox
    $nuget = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $oldAzureCoreVersion = Get-PinnedVersion CoexistenceAzureCoreVersion
    $oldAzureCore = Join-Path $nuget.Trim() "azure.core/$oldAzureCoreVersion/lib/netstandard2.0/Azure.Core.dll"

    # Lists connections from the sandbox with an access token, and reports where Azure.Core versions live.
    $listAndReport = {
        param($ModulePath, $ReadyFile, $OldAzureCore, [bool] $OldFirst)
        $ErrorActionPreference = 'Stop'
        if ($OldFirst) { Add-Type -Path $OldAzureCore }
        Import-Module $ModulePath
        if (-not $OldFirst) { Add-Type -Path $OldAzureCore }
        $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
        Connect-LogicAppAuth -AccessToken $ready.accessToken -ResourceManagerUrl $ready.resourceManagerUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
        $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $ready.subscriptions[0].subscriptionId)
        [pscustomobject]@{
            Rows       = $rows.Count
            AzureCores = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Azure.Core' } |
                ForEach-Object { '{0}@{1}' -f $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).ToString() })
        }
    }
}

Describe 'Module loading' {
    It 'exports exactly the cmdlets in the manifest' {
        $result = Invoke-FreshPwsh -ScriptBlock { param($m) Import-Module $m; (Get-Command -Module LogicAppAuth).Name | Sort-Object } -ArgumentList $ModulePath
        $result | Should -Be @('Complete-LogicConnectorConsent', 'Connect-LogicAppAuth', 'Disconnect-LogicAppAuth', 'Export-LogicConnectorMetric', 'Export-LogicConnectorReport', 'Get-ExpiringCredential', 'Get-LogicConnectorConsentLink', 'Get-LogicConnectorStatus', 'New-LogicConnectorAlert', 'Restore-LogicAppAuthBackup', 'Set-LogicConnectorManagedIdentity', 'Test-LogicConnectorAuth')
    }

    It 'loads no Azure or Graph assembly at import' {
        $loaded = Invoke-FreshPwsh -ScriptBlock {
            param($m) Import-Module $m
            [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name | Where-Object { $_ -like 'Azure.*' -or $_ -like 'Microsoft.Graph*' -or $_ -like 'Microsoft.Identity*' }
        } -ArgumentList $ModulePath
        $loaded | Should -BeNullOrEmpty
    }

    It 'keeps the cmdlets exported after Import-Module -Force twice' {
        $names = Invoke-FreshPwsh -ScriptBlock {
            param($m) Import-Module $m; Import-Module $m -Force; Import-Module $m -Force; (Get-Command -Module LogicAppAuth).Count
        } -ArgumentList $ModulePath
        $names | Should -Be @((Import-PowerShellDataFile $ModulePath).CmdletsToExport).Count
    }

    It 'works when an older Azure.Core is loaded <When> the module, and keeps its own copy in its load context' -TestCases @(
        @{ When = 'before'; OldFirst = $true }
        @{ When = 'after'; OldFirst = $false }
    ) {
        param($When, $OldFirst)
        $report = Invoke-FreshPwsh -ScriptBlock $listAndReport -ArgumentList $ModulePath, $sandbox.ReadyFile, $oldAzureCore, $OldFirst
        $report | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $report.Rows | Should -BeGreaterThan 5
        $report.AzureCores | Should -Contain ("$oldAzureCoreVersion.0@`"Default`" System.Runtime.Loader.DefaultAssemblyLoadContext #0")
        @($report.AzureCores | Where-Object { $_ -like '*LogicAppAuth dependency load context*' }).Count | Should -Be 1
        @($report.AzureCores | Where-Object { $_ -like '*Default*' }).Count | Should -Be 1
    }

    It 'makes every output type resolvable right after Import-Module, before any cmdlet ran, and the same type the cmdlets emit' {
        $result = Invoke-FreshPwsh -ScriptBlock {
            param($m, $ReadyFile)
            $ErrorActionPreference = 'Stop'
            Import-Module $m
            $names = 'ConnectorStatus', 'ConnectorDiagnosis', 'ExpiringCredential', 'AuthContext', 'RemediationResult', 'ConsentLink', 'ConsentResult', 'ConnectorAlert', 'DiagnosisCause'
            $resolved = @($names | Where-Object { "LogicAppAuth.$_" -as [type] })
            $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
            Connect-LogicAppAuth -AccessToken $ready.accessToken -ResourceManagerUrl $ready.resourceManagerUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
            $row = Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $ready.subscriptions[0].subscriptionId | Select-Object -First 1
            [pscustomobject]@{ Resolved = $resolved -join ','; IsSameType = $row -is [LogicAppAuth.ConnectorStatus] }
        } -ArgumentList $ModulePath, $sandbox.ReadyFile
        $result | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $result.Resolved | Should -Be 'ConnectorStatus,ConnectorDiagnosis,ExpiringCredential,AuthContext,RemediationResult,ConsentLink,ConsentResult,ConnectorAlert,DiagnosisCause'
        $result.IsSameType | Should -BeTrue
    }

    It 'shows streamed <Type> rows of several resource groups under one table header, with the group as a column' -TestCases @(
        @{ Type = 'ConnectorStatus' }
        @{ Type = 'ConnectorDiagnosis' }
    ) {
        param($Type)
        # Rows arrive in completion order, not sorted: a group-by view would repeat its group header.
        $text = Invoke-FreshPwsh -ScriptBlock {
            param($m, $Type)
            Import-Module $m
            $rows = foreach ($group in 'rg-a', 'rg-b', 'rg-a') {
                $row = [Activator]::CreateInstance("LogicAppAuth.$Type" -as [type])
                $row.ResourceGroupName = $group; $row.Name = "conn-in-$group"
                $row
            }
            $rows | Out-String -Width 200
        } -ArgumentList $ModulePath, $Type
        $lines = @($text -split '\r?\n')
        @($lines | Where-Object { $_ -match '^ResourceGroupName\s+Name\s' }).Count | Should -Be 1
        @($lines | Where-Object { $_ -match 'Resource group:' }).Count | Should -Be 0
        @($lines | Where-Object { $_ -match '^rg-a\s+conn-in-rg-a' }).Count | Should -Be 2
    }

    It 'has a default table view for every output type' {
        $views = Invoke-FreshPwsh -ScriptBlock {
            param($m) Import-Module $m
            (Get-FormatData -TypeName LogicAppAuth.ConnectorStatus, LogicAppAuth.AuthContext, LogicAppAuth.RemediationResult, LogicAppAuth.ConsentLink, LogicAppAuth.ConsentResult).TypeNames
        } -ArgumentList $ModulePath
        $views | Should -Contain 'LogicAppAuth.ConnectorStatus'
        $views | Should -Contain 'LogicAppAuth.AuthContext'
        foreach ($type in 'RemediationResult', 'ConsentLink', 'ConsentResult') { $views | Should -Contain "LogicAppAuth.$type" }
    }
}
