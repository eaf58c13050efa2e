# No secret in any stream or file: every exported cmdlet runs with -Verbose -Debug against a sandbox of its own
# (writes are fine there), every record of every stream is formatted in full, and every file the module writes is
# read. The haystack must not hold the sandbox's access tokens, any principal's client secret, a consent link or code,
# or anything shaped like a JWT. Get-LogicConnectorConsentLink's output objects are left out: the link is their job.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sb = Start-LogicAppAuthSandbox -SandboxPath $SandboxPath
    $sub = $Contoso.SubscriptionId
    $group = "/subscriptions/$sub/resourceGroups/rg-integration"
    $connections = "$group/providers/Microsoft.Web/connections"
    $megan = 'a1b2c3d4-0001-4e5f-8a9b-000000000001'
    $files = Join-Path $TestDrive 'written'
    New-Item -ItemType Directory -Path $files | Out-Null

    $script:haystack = [System.Text.StringBuilder]::new()
    $script:secrets = [System.Collections.Generic.List[string]]::new()
    $secrets.Add($sb.accessToken); $secrets.Add($sb.microsoftGraphAccessToken)
    foreach ($principal in $sb.principals.PSObject.Properties) { $secrets.Add($principal.Value.clientSecret) }
    $wrongSecret = 'wrong-' + [guid]::NewGuid().ToString('N')
    $secrets.Add($wrongSecret)

    # Runs one call with every stream merged, and adds each record, formatted in full, to the haystack.
    function Add-Captured([scriptblock] $Call, [switch] $KeepOutputOut) {
        $ErrorActionPreference = 'Continue'
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        $InformationPreference = 'Continue'
        $WarningPreference = 'Continue'
        $ConfirmPreference = 'None'
        $records = @(try { & $Call *>&1 } catch { $_ })
        foreach ($record in $records) {
            $isStream = $record -is [System.Management.Automation.ErrorRecord] -or $record -is [System.Management.Automation.InformationalRecord] -or
                $record -is [System.Management.Automation.InformationRecord]
            if ($KeepOutputOut -and -not $isStream) { continue }
            [void] $haystack.AppendLine(($record | Format-List * -Force | Out-String -Width 4096))
            if ($record -is [System.Management.Automation.ErrorRecord]) {
                [void] $haystack.AppendLine($record.Exception.ToString())
                [void] $haystack.AppendLine(($record.Exception | Format-List * -Force | Out-String -Width 4096))
                if ($record.ErrorDetails) { [void] $haystack.AppendLine($record.ErrorDetails.Message + ' ' + $record.ErrorDetails.RecommendedAction) }
            }
        }
        $records
    }
    # Stands in for the user's browser: follows the consent link and returns the URL it lands on (with ?code=).
    function Open-InBrowser([string] $Link) { (& curl --silent --show-error --cacert $sb.certificatePath -o /dev/null -w '%{redirect_url}' $Link) -join '' }
    function Get-Code([string] $Landed) { [uri]::UnescapeDataString([regex]::Match($Landed, '[?&]code=([^&]+)').Groups[1].Value) }

    $connect = Get-SandboxConnectParameters $sb
    $records = [ordered]@{}

    # Sign-in, every way the module offers that the sandbox serves, and a refused secret.
    $records.ConnectSecret = Add-Captured { Connect-LogicAppAuth @connect -Verbose -Debug }
    $tokenConnect = Get-SandboxConnectParameters $sb -As AccessToken
    $records.ConnectToken = Add-Captured { Connect-LogicAppAuth @tokenConnect -Verbose -Debug }
    $bad = Get-SandboxConnectParameters $sb
    $bad.ClientSecret = ConvertTo-SecureString $wrongSecret -AsPlainText -Force
    $records.ConnectWrong = Add-Captured { Connect-LogicAppAuth @bad -Verbose -Debug; Get-LogicConnectorStatus -ResourceId "$connections/office365-healthy" -Verbose -Debug }
    $records.ConnectSecretAgain = Add-Captured { Connect-LogicAppAuth @connect -Verbose -Debug }

    # Reads, with their files.
    $records.Status = Add-Captured { Get-LogicConnectorStatus -ResourceGroupName rg-integration -SubscriptionId $sub -Verbose -Debug }
    $records.StatusCsv = Add-Captured { Get-LogicConnectorStatus -SubscriptionId $sub -Verbose -Debug | Export-Csv (Join-Path $files 'status.csv') -NoTypeInformation }
    $records.Diagnosis = Add-Captured { Test-LogicConnectorAuth -ResourceGroupName rg-integration -SubscriptionId $sub -Live -IncludeRunHistory -Verbose -Debug }
    $records.DiagnosisCsv = Add-Captured { Test-LogicConnectorAuth -SubscriptionId $sub -Verbose -Debug | Export-Csv (Join-Path $files 'diagnosis.csv') -NoTypeInformation }
    $records.Expiring = Add-Captured { Get-ExpiringCredential -WithinDays 400 -Verbose -Debug }
    $records.ExpiringCsv = Add-Captured { Get-ExpiringCredential -WithinDays 400 -Verbose -Debug | Export-Csv (Join-Path $files 'expiring.csv') -NoTypeInformation }
    $records.Metrics = Add-Captured { Export-LogicConnectorMetric -Path (Join-Path $files 'metrics/logicapps.prom') -SubscriptionId $sub -Verbose -Debug }

    # Writes, with their backups.
    $records.Alert = Add-Captured { New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -Verbose -Debug }
    $backup = Join-Path $files 'backup-sb'
    $records.Fix = Add-Captured { Set-LogicConnectorManagedIdentity -Confirm:$false -ResourceId "$connections/servicebus-mi" -BackupPath $backup -PassThru -Verbose -Debug }
    $records.FixWhatIf = Add-Captured { Set-LogicConnectorManagedIdentity -ResourceId "$connections/azureblob-mi-healthy" -BackupPath (Join-Path $files 'backup-whatif') -WhatIf -Verbose -Debug }
    $records.Restore = Add-Captured { Restore-LogicAppAuthBackup -Path $backup -PassThru -Verbose -Debug }

    # Consent: the link and the code are secrets everywhere but in the link objects themselves.
    $records.Link = Add-Captured -KeepOutputOut { Get-LogicConnectorConsentLink -ResourceId "$connections/office365-expired" -ObjectId $megan -RedirectUri 'https://localhost/consented' -Verbose -Debug }
    $link = $records.Link | Where-Object { $_ -is [LogicAppAuth.ConsentLink] }
    $secrets.Add($link.Link)
    $landed = Open-InBrowser $link.Link
    $secrets.Add($landed); $secrets.Add((Get-Code $landed))
    $records.Complete = Add-Captured { $link | Complete-LogicConnectorConsent -RedirectUrl $landed -Verbose -Debug }
    $records.CompleteAgain = Add-Captured { $link | Complete-LogicConnectorConsent -RedirectUrl $landed -Verbose -Debug }

    $records.Link2 = Add-Captured -KeepOutputOut { Get-LogicConnectorConsentLink -ResourceId "$connections/teams-unauthenticated" -ObjectId $megan -Verbose -Debug }
    $link2 = $records.Link2 | Where-Object { $_ -is [LogicAppAuth.ConsentLink] }
    $secrets.Add($link2.Link)
    $landed2 = Open-InBrowser $link2.Link
    $code2 = Get-Code $landed2
    $secrets.Add($landed2); $secrets.Add($code2)
    $wrongCode = 'not-the-code-' + [guid]::NewGuid().ToString('N')
    $secrets.Add($wrongCode)
    $records.CompleteWrongCode = Add-Captured { Complete-LogicConnectorConsent -ResourceId $link2.ResourceId -Code $wrongCode -ObjectId $megan -Verbose -Debug }
    $records.CompleteCode = Add-Captured { Complete-LogicConnectorConsent -ResourceId $link2.ResourceId -Code $code2 -ObjectId $megan -Verbose -Debug }
    $records.Report = Add-Captured { Export-LogicConnectorReport -Path (Join-Path $files 'report.html') -InputObject (Test-LogicConnectorAuth -ResourceId "$connections/sharepoint-revoked") -Verbose -Debug }

    $records.Disconnect = Add-Captured { Disconnect-LogicAppAuth -Verbose -Debug }

    $written = @(Get-ChildItem $files -Recurse -File)
    foreach ($file in $written) { [void] $haystack.AppendLine((Get-Content $file.FullName -Raw)) }
    $text = $haystack.ToString()
}

AfterAll {
    Disconnect-LogicAppAuth
    $sb | Stop-LogicAppAuthSandbox
}

Describe 'Secrets in streams and files' {
    It 'ran every exported cmdlet, saw verbose or debug records, and read the files the module wrote' {
        $exported = (Get-Command -Module LogicAppAuth).Name
        # A new cmdlet has to be added to the calls above.
        foreach ($name in $exported) { $PSCommandPath | Should -FileContentMatch ([regex]::Escape("{ $name ")) }
        @($records.Values | ForEach-Object { $_ } | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 0
        @($records.Complete | Where-Object { $_ -is [LogicAppAuth.ConsentResult] }).Healthy | Should -BeTrue
        @($records.CompleteCode | Where-Object { $_ -is [LogicAppAuth.ConsentResult] }).Healthy | Should -BeTrue
        @($records.CompleteWrongCode | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 1
        @($records.ConnectWrong | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        @($records.Fix | Where-Object { $_ -isnot [System.Management.Automation.InformationalRecord] -and $_ -isnot [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        $written.Name | Should -Contain 'status.csv'
        $written.Name | Should -Contain 'logicapps.prom'
        $written.Name | Should -Contain 'report.html'
        @($written | Where-Object { $_.FullName -like "$backup*" }).Count | Should -BeGreaterThan 0
    }

    It 'holds none of the known secrets (tokens, client secrets, consent links and codes)' {
        $secrets.Count | Should -BeGreaterThan 8
        foreach ($secret in $secrets) {
            $secret | Should -Not -BeNullOrEmpty
            $found = $text.IndexOf($secret, [StringComparison]::Ordinal)
            if ($found -ge 0) { throw "A secret ($($secret.Length) characters, starting '$($secret.Substring(0, [Math]::Min(6, $secret.Length)))') appears at: $($text.Substring([Math]::Max(0, $found - 120), 240))" }
        }
    }

    It 'holds no JWT-shaped string and no consent page address' {
        $jwt = [regex]::Match($text, 'eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}')
        if ($jwt.Success) { throw "A JWT-shaped string appears at: $($text.Substring([Math]::Max(0, $jwt.Index - 120), 240))" }
        # (Entra's error_uri has ?code=<AADSTS number>; consent codes themselves are among the known secrets above.)
        $text | Should -Not -Match '/_sandbox/consent\?'
    }

    It 'the backup, CSV and metrics files were all read' {
        foreach ($file in $written) { (Get-Content $file.FullName -Raw).Length | Should -BeGreaterThan 0 }
    }
}
