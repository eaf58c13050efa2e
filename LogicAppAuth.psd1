@{
    RootModule           = 'LogicAppAuth.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d7c3e-3b8e-4d55-9a0b-5c1f2e9d4a71'
    Author               = 'LogicAppAuth contributors'
    CompanyName          = 'LogicAppAuth'
    Copyright            = '(c) LogicAppAuth contributors. MIT License.'
    Description          = 'Finds, explains and fixes authentication failures of Azure Logic Apps API connections (Consumption and Standard) across a tenant.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    # The output types load with the module, so that scripts can name them ([LogicAppAuth.ConnectorStatus], -is)
    # before any cmdlet has run.
    RequiredAssemblies   = @('LogicAppAuth.Models.dll')
    FormatsToProcess     = @('LogicAppAuth.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-LogicAppAuth'
        'Disconnect-LogicAppAuth'
        'Get-LogicConnectorStatus'
        'Test-LogicConnectorAuth'
        'Get-ExpiringCredential'
        'Export-LogicConnectorMetric'
        'New-LogicConnectorAlert'
        'Set-LogicConnectorManagedIdentity'
        'Restore-LogicAppAuthBackup'
        'Get-LogicConnectorConsentLink'
        'Complete-LogicConnectorConsent'
        'Export-LogicConnectorReport'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Azure', 'LogicApps', 'Connectors', 'OAuth', 'ManagedIdentity', 'Authentication', 'Troubleshooting', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/logicappauth/LogicAppAuth'
            LicenseUri   = 'https://github.com/logicappauth/LogicAppAuth/blob/main/LICENSE'
            # build.ps1 replaces this with the CHANGELOG.md section of ModuleVersion.
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
