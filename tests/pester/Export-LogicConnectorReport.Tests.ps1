# Export-LogicConnectorReport: the HTML health report from real scans of the sandbox, opened in a real headless Chromium.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'Browser.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    $diagnoses = @(Test-LogicConnectorAuth)
    # Every credential of the scenario (the report itself shows those expired or expiring within 90 days).
    $credentials = @(Get-ExpiringCredential -WithinDays 36500)
    $reportPath = Join-Path $TestDrive 'connector-health.html'
    $file = @($diagnoses) + @($credentials) | Export-LogicConnectorReport -Path $reportPath
    $html = Get-Content $reportPath -Raw
    $screenshotFolder = Join-Path $PSScriptRoot '../../output/test-results'
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Export-LogicConnectorReport' {
    It 'writes one HTML file and returns it' {
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $reportPath
        $diagnoses.Count | Should -BeGreaterThan 10
        $html | Should -Match '^<!DOCTYPE html>'
    }

    It 'is self-contained: no external reference, and a policy that forbids every fetch' {
        $html | Should -Not -Match '<(link|img|iframe|object|embed)\b'
        $html | Should -Not -Match '\s(src|href)\s*='
        $html | Should -Match "default-src 'none'"
        $html | Should -Not -Match '@import|url\('
    }

    It 'holds no token, secret or consent link' {
        $html | Should -Not -Match 'eyJ[\w-]{10,}\.'
        $html | Should -Not -Match 'client_secret|clientSecret'
        $html | Should -Not -Match 'https?://[^\s"<]*\?[^\s"<]*(code|sig|token|consent)'
        foreach ($principal in $sandbox.principals.PSObject.Properties.Value) {
            if ($principal.clientSecret) { $html.Contains($principal.clientSecret) | Should -BeFalse }
        }
    }

    It 'scans a scope itself when given one instead of piped objects' {
        $prod = $Contoso.SubscriptionId
        $scoped = Join-Path $TestDrive 'rg-integration.html'
        $written = Export-LogicConnectorReport -Path $scoped -ResourceGroupName rg-integration -SubscriptionId $prod
        $written.FullName | Should -Be $scoped
        $scopedHtml = Get-Content $scoped -Raw
        $inScope = @($diagnoses | Where-Object { $_.ResourceGroupName -eq 'rg-integration' -and $_.SubscriptionId -eq $prod })
        $inScope.Count | Should -BeGreaterThan 10
        foreach ($diagnosis in $inScope) { $scopedHtml.Contains("`"$($diagnosis.Name)`"") | Should -BeTrue -Because $diagnosis.Name }
        $scopedHtml.Contains('sql-v2-nopolicy') | Should -BeFalse -Because 'rg-standard is outside the scope'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.html'
        $diagnoses | Export-LogicConnectorReport -Path $path -WhatIf
        $path | Should -Not -Exist
    }

    It 'replaces an existing report atomically, leaving no temporary file' {
        $folder = Join-Path $TestDrive 'replace'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $path = Join-Path $folder 'report.html'
        Set-Content $path 'old report'
        $diagnoses | Export-LogicConnectorReport -Path $path | Out-Null
        Get-Content $path -Raw | Should -Match '^<!DOCTYPE html>'
        @(Get-ChildItem $folder -Force).Name | Should -Be @('report.html')
    }

    It 'refuses input it does not know with UnsupportedReportInput, and a folder as -Path with PathIsAFolder' {
        $path = Join-Path $TestDrive 'bad.html'
        'not a connection' | Export-LogicConnectorReport -Path $path -ErrorVariable problems -ErrorAction SilentlyContinue | Out-Null
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedReportInput,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].Exception.Message | Should -Match 'Test-LogicConnectorAuth'
        $diagnoses | Export-LogicConnectorReport -Path $TestDrive -ErrorVariable folderProblems -ErrorAction SilentlyContinue | Out-Null
        $folderProblems[0].FullyQualifiedErrorId | Should -BeLike 'PathIsAFolder,*'
    }

    It 'stops with ReportNotWritten when the file cannot be written' {
        $notAFolder = Join-Path $TestDrive 'plain-file'
        Set-Content $notAFolder 'x'
        $caught = $null
        try { $diagnoses | Export-LogicConnectorReport -Path (Join-Path $notAFolder 'report.html') -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'ReportNotWritten,*'
        $caught.Exception.Message | Should -Match 'folder you can write to'
    }
}

Describe 'The report in a headless Chromium' {
    BeforeAll {
        $browser = $null
        $browser = Start-HeadlessBrowser (Join-Path $TestDrive 'chromium')
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-Cdp $browser 'Page.navigate' @{ url = [uri]::new($reportPath, [UriKind]::Absolute).AbsoluteUri }
        Wait-CdpEvent $browser 'Page.loadEventFired'
        $watch.Stop()
        function Get-VisibleRowCount { Invoke-PageScript $browser 'document.querySelectorAll("#connections tbody tr:not([hidden])").length' }
    }
    AfterAll { if ($browser) { Stop-HeadlessBrowser $browser } }

    It 'loads with no console error, no script exception and no network request beyond the file itself' {
        $problems = @($browser.Events | Where-Object {
                $_.method -eq 'Runtime.exceptionThrown' -or
                ($_.method -eq 'Runtime.consoleAPICalled' -and $_.params.type -in 'error', 'assert') -or
                ($_.method -eq 'Log.entryAdded' -and $_.params.entry.level -eq 'error')
            })
        $problems | ConvertTo-Json -Depth 6 | Should -BeNullOrEmpty
        $requests = @($browser.Events | Where-Object method -eq 'Network.requestWillBeSent' | ForEach-Object { $_.params.request.url })
        @($requests | Where-Object { $_ -notlike 'file://*' -and $_ -notlike 'data:*' }) | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
    }

    It 'shows tiles and rows that equal the input' {
        $broken = @($diagnoses | Where-Object { -not $_.Healthy }).Count
        $expiring = @($credentials | Where-Object { $_.Expired -or $_.DaysRemaining -le 90 }).Count
        Invoke-PageScript $browser 'document.getElementById("tile-connections").textContent' | Should -Be "$($diagnoses.Count)"
        Invoke-PageScript $browser 'document.getElementById("tile-broken").textContent' | Should -Be "$broken"
        Invoke-PageScript $browser 'document.getElementById("tile-healthy").textContent' | Should -Be "$($diagnoses.Count - $broken)"
        Invoke-PageScript $browser 'document.getElementById("tile-expiring").textContent' | Should -Be "$expiring"
        Get-VisibleRowCount | Should -Be $diagnoses.Count
        $subscriptions = @($diagnoses.SubscriptionId | Sort-Object -Unique).Count
        Invoke-PageScript $browser 'document.querySelectorAll("#subscriptions tbody tr").length' | Should -Be $subscriptions
        $causes = @($diagnoses | Where-Object { -not $_.Healthy } | ForEach-Object { "$($_.Cause)" } | Sort-Object -Unique).Count
        Invoke-PageScript $browser 'document.querySelectorAll("#chart-causes .bar").length' | Should -Be $causes
    }

    It 'narrows the rows with the search box and with the cause filter' {
        $name = ($diagnoses | Where-Object { -not $_.Healthy } | Select-Object -First 1).Name
        $expected = @($diagnoses | Where-Object { ($_.SubscriptionId, $_.ResourceGroupName, $_.Name, $_.ApiName, $_.Status, $_.Cause, $_.Evidence, $_.RemediationCommand, $_.UsedBy) -join ' ' -like "*$name*" }).Count
        $null = Invoke-PageScript $browser ('var s = document.getElementById("search"); s.value = {0}; s.dispatchEvent(new Event("input"))' -f ($name | ConvertTo-Json))
        Get-VisibleRowCount | Should -Be $expected
        Get-VisibleRowCount | Should -BeLessThan $diagnoses.Count

        $null = Invoke-PageScript $browser 'var s = document.getElementById("search"); s.value = ""; s.dispatchEvent(new Event("input"))'
        $cause = 'OAuthTokenExpired'
        $null = Invoke-PageScript $browser ('var c = document.getElementById("cause-filter"); c.value = "{0}"; c.dispatchEvent(new Event("change"))' -f $cause)
        Get-VisibleRowCount | Should -Be @($diagnoses | Where-Object { "$($_.Cause)" -eq $cause }).Count
        Invoke-PageScript $browser 'document.getElementById("row-count").getAttribute("data-matched")' | Should -Be "$(Get-VisibleRowCount)"
        Invoke-PageScript $browser 'document.getElementById("row-count").textContent' | Should -Match "^\d+ of $($diagnoses.Count) connections$"
    }

    It 'sorts by a column when its header is clicked' {
        $null = Invoke-PageScript $browser 'var c = document.getElementById("cause-filter"); c.value = ""; c.dispatchEvent(new Event("change")); document.querySelector("th[data-key=name]").click()'
        $names = @(Invoke-PageScript $browser 'Array.from(document.querySelectorAll("#connections tbody td.name")).map(function (td) { return td.textContent; })')
        $names.Count | Should -Be $diagnoses.Count
        $sorted = @($names | Sort-Object)
        ($names -join '|') | Should -Be ($sorted -join '|')
    }

    It 'saves a screenshot under output/test-results' {
        $shot = Invoke-Cdp $browser 'Page.captureScreenshot' @{ format = 'png'; captureBeyondViewport = $true }
        New-Item -ItemType Directory -Force -Path $screenshotFolder | Out-Null
        $png = Join-Path $screenshotFolder 'connector-report.png'
        [System.IO.File]::WriteAllBytes($png, [Convert]::FromBase64String($shot.data))
        (Get-Item $png).Length | Should -BeGreaterThan 10KB
    }
}
