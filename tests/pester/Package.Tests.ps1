# The packages build.ps1 -Task Package writes: the gallery .nupkg installed by name with PSResourceGet in a fresh pwsh
# whose module path and user data are private to the test, and the zip that Azure Automation imports.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sandbox = Get-TestSandbox
    $sourceManifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../LogicAppAuth.psd1')
    $version = $sourceManifest.ModuleVersion
    $output = Join-Path $PSScriptRoot '../../output'
    $nupkg = Join-Path $output "LogicAppAuth.$version.nupkg"
    $zip = Join-Path $output "LogicAppAuth-$version.zip"
    Add-Type -AssemblyName System.IO.Compression.FileSystem

    function Get-ZipEntryText([string] $Path, [string] $EntryName) {
        $archive = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try {
            $reader = [System.IO.StreamReader]::new($archive.GetEntry($EntryName).Open())
            try { $reader.ReadToEnd() } finally { $reader.Dispose() }
        }
        finally { $archive.Dispose() }
    }
}

Describe 'The gallery package' {
    It 'is written by build.ps1 -Task Package for the manifest version' {
        $nupkg | Should -Exist
    }

    It 'carries the manifest version, the gallery metadata and this version''s CHANGELOG section' {
        $nuspec = [xml](Get-ZipEntryText $nupkg 'LogicAppAuth.nuspec')
        $metadata = $nuspec.package.metadata
        $metadata.version | Should -Be $version
        $metadata.projectUrl | Should -Be $sourceManifest.PrivateData.PSData.ProjectUri
        $metadata.licenseUrl | Should -Be $sourceManifest.PrivateData.PSData.LicenseUri
        $metadata.tags | Should -Match '\bLogicApps\b'

        $changelog = Get-Content (Join-Path $PSScriptRoot '../../CHANGELOG.md') -Raw
        $changelog | Should -Match ('(?m)^## {0}\b' -f [regex]::Escape($version)) -Because 'CHANGELOG.md must describe the packaged version'
        $metadata.releaseNotes | Should -Match 'Get-LogicConnectorStatus'
        $changelog.Replace("`r", '') | Should -Match ([regex]::Escape($metadata.releaseNotes.Trim().Replace("`r", '')))
    }

    It 'installs by name with Install-PSResource from a local repository, imports by name, has full help and works against the sandbox' {
        $privateHome = Join-Path $TestDrive 'home'
        $repository = Join-Path $TestDrive 'repository'
        New-Item -ItemType Directory -Path $privateHome, $repository | Out-Null
        Copy-Item $nupkg $repository
        $privateModules = Join-Path $privateHome '.local/share/powershell/Modules'
        $environment = @{ HOME = $privateHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; PSModulePath = $privateModules }

        $result = Invoke-FreshPwsh -Environment $environment -ArgumentList $repository, $sandbox.ReadyFile -ScriptBlock {
            param($Repository, $ReadyFile)
            $ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name LocalTest -Uri $Repository -Trusted
            Install-PSResource -Name LogicAppAuth -Repository LocalTest -Scope CurrentUser
            Import-Module LogicAppAuth
            $help = Get-Help Get-LogicConnectorStatus -Full
            $ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
            Connect-LogicAppAuth -AccessToken $ready.accessToken -ResourceManagerUrl $ready.resourceManagerUrl -TrustedCertificatePath $ready.certificatePath | Out-Null
            $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $ready.subscriptions[0].subscriptionId)
            [pscustomobject]@{
                ModuleBase = (Get-Module LogicAppAuth).ModuleBase
                Examples   = @($help.examples.example).Count
                Synopsis   = $help.Synopsis
                Rows       = $rows.Count
                Typed      = @($rows | Where-Object { $_ -is [LogicAppAuth.ConnectorStatus] }).Count
            }
        }
        $result | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $result.ModuleBase | Should -BeLike "$privateModules*LogicAppAuth*$version"
        $result.Examples | Should -BeGreaterOrEqual 2
        $result.Synopsis | Should -Match 'connection'
        $result.Rows | Should -BeGreaterThan 5
        $result.Typed | Should -Be $result.Rows
    }
}

Describe 'The Azure Automation zip' {
    BeforeAll {
        $archive = [System.IO.Compression.ZipFile]::OpenRead($zip)
        $entries = @($archive.Entries.FullName)
        $archive.Dispose()
    }

    It 'holds only the LogicAppAuth folder at its root, with the manifest directly in it' {
        $entries | Should -Contain 'LogicAppAuth/LogicAppAuth.psd1'
        $entries | Should -Contain 'LogicAppAuth/LogicAppAuth.dll'
        $entries | Should -Contain 'LogicAppAuth/en-US/LogicAppAuth.dll-Help.xml'
        @($entries | Where-Object { $_ -notlike 'LogicAppAuth/*' }) | Should -BeNullOrEmpty
        @($entries | Where-Object { $_ -like '*\*' }) | Should -BeNullOrEmpty -Because 'entry names use forward slashes'
    }

    It 'stays under the 100 MB that Azure Automation accepts for a module' {
        (Get-Item $zip).Length | Should -BeLessThan 100MB
    }

    It 'imports from its extracted folder and exports every cmdlet of the manifest' {
        $extracted = Join-Path $TestDrive 'automation'
        [System.IO.Compression.ZipFile]::ExtractToDirectory($zip, $extracted)
        $count = Invoke-FreshPwsh -ArgumentList (Join-Path $extracted 'LogicAppAuth/LogicAppAuth.psd1') -ScriptBlock {
            param($Manifest) Import-Module $Manifest; @(Get-Command -Module LogicAppAuth).Count
        }
        $count | Should -Be $sourceManifest.CmdletsToExport.Count
    }
}
