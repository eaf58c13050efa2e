# A Standard app deployed from Visual Studio Code or a pipeline: connections.json names its connections through app
# settings (@appsetting / @{appsetting(...)}) and takes their authentication from parameters.json (@parameters).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $standard = "/subscriptions/$prod/resourceGroups/rg-standard"
    $app = "$standard/providers/Microsoft.Web/sites/la-contoso-vscode"
    $noPolicy = "$standard/providers/Microsoft.Web/connections/sql-v2-params-policyless"
    $blob = "$standard/providers/Microsoft.Web/connections/azureblob-v2-params"
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    function Connect-As([string] $Principal) { $parameters = Get-SandboxConnectParameters $sandbox -Principal $Principal; Connect-LogicAppAuth @parameters | Out-Null }
    function Writes { @(Get-SandboxRequestLog -Sandbox $sandbox | Where-Object { $_.method -in 'PUT', 'PATCH', 'DELETE' -or ($_.method -eq 'POST' -and $_.path -notlike '*/list*' -and $_.path -notlike '*/oauth2/*') }) }

    # Values the app settings hold that must never leave the module: a connection key and a storage account key.
    $secrets = @('sbx-connkey.jWGj0uSJsV3NIhD7m4sNCjudmMi__mErfRn3sg3Q4AU', 'f+uYSIiMTcry5d81oxUAHXHKUh/3MKOMSM51CkYTf78=')
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'Parameterized connections.json: inventory and diagnosis resolve app settings and parameters.json' {
    It 'names the app as a user of the connections its connections.json reaches through app settings' {
        $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $prod)
        ($rows | Where-Object ResourceId -eq $noPolicy).UsedBy -split ';' | Should -Contain 'la-contoso-vscode'
        ($rows | Where-Object ResourceId -eq $blob).UsedBy -split ';' | Should -Contain 'la-contoso-vscode'
    }

    It 'finds the V2 connection without an access policy for the app identity that parameters.json selects' {
        $diagnosis = Test-LogicConnectorAuth -ResourceId $noPolicy
        $diagnosis.Cause | Should -Be 'AccessPolicyMissing'
        $diagnosis.Evidence | Should -Match 'la-contoso-vscode'
    }

    It 'lists the same users through Resource Graph as through ARM' {
        $viaGraph = @(Get-LogicConnectorStatus -SubscriptionId $prod) | Where-Object ResourceId -eq $noPolicy
        $viaGraph.UsedBy | Should -Be (Get-LogicConnectorStatus -ResourceId $noPolicy).UsedBy
    }
}

Describe 'Parameterized connections.json naming an app setting that cannot be resolved' {
    # The app setting a deployment renamed or deleted: connection.id cannot be resolved, as when app settings may not be read.
    BeforeAll {
        $original = Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app
        Set-SandboxSiteFile -Sandbox $sandbox -SiteId $app -Text ($original.Text -replace 'WORKFLOWS_RESOURCE_GROUP_NAME', 'WORKFLOWS_RG_RENAMED')
    }
    AfterAll { Set-SandboxSiteFile -Sandbox $sandbox -SiteId $app -Text $original.Text }

    It 'matches the connection by name within the app''s subscription, warns once, and never fails with InvalidResourceId' {
        $rows = @(Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $prod -WarningVariable warnings -ErrorVariable failures)
        $failures | Should -BeNullOrEmpty
        ($rows | Where-Object ResourceId -eq $noPolicy).UsedBy -split ';' | Should -Contain 'la-contoso-vscode'
        @($warnings | Where-Object { $_ -match 'matched to connections by name' }).Count | Should -Be 1
    }

    It 'says in the diagnosis that the match is by name, and still proves the missing access policy' {
        $diagnosis = Test-LogicConnectorAuth -ResourceId $noPolicy -WarningAction SilentlyContinue
        $diagnosis.Evidence | Should -Match 'only by name'
        $diagnosis.Cause | Should -Be 'AccessPolicyMissing'
    }
}

Describe 'Set-LogicConnectorManagedIdentity on a parameterized Standard app' {
    It '-WhatIf sends no write' {
        Clear-SandboxRequestLog -Sandbox $sandbox
        Set-LogicConnectorManagedIdentity -ResourceId $noPolicy -WhatIf -WarningAction SilentlyContinue
        Writes | Should -BeNullOrEmpty
    }

    It 'adds the missing access policy and leaves connections.json alone: parameters.json already selects the managed identity' {
        $before = Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app
        $results = @(Set-LogicConnectorManagedIdentity -ResourceId $noPolicy -Confirm:$false -PassThru -WarningAction SilentlyContinue)
        ($results | Where-Object Operation -eq 'AddAccessPolicy').Status | Should -Be 'Applied'
        ($results | Where-Object Operation -eq 'SetAppConnectionAuthentication').Status | Should -Be 'AlreadyInPlace'
        (Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app).Text | Should -Be $before.Text
        (Test-LogicConnectorAuth -ResourceId $noPolicy).Cause | Should -Not -Be 'AccessPolicyMissing'

        Clear-SandboxRequestLog -Sandbox $sandbox
        Set-LogicConnectorManagedIdentity -ResourceId $noPolicy -Confirm:$false -WarningAction SilentlyContinue
        Writes | Should -BeNullOrEmpty
    }

    It 'refuses, naming parameters.json and the exact edit, when the authentication parameters.json supplies is not the managed identity' {
        $parameters = Get-SandboxSiteFile -Sandbox $sandbox -SiteId $app -FileName 'parameters.json'
        $edited = $parameters.Text | ConvertFrom-Json -AsHashtable
        $edited['azureblob-Authentication'] = @{ type = 'Object'; value = @{ type = 'Raw'; scheme = 'Key'; parameter = "@appsetting('office365-connectionKey')" } }
        Set-SandboxSiteFile -Sandbox $sandbox -SiteId $app -FileName 'parameters.json' -Text ($edited | ConvertTo-Json -Depth 10)
        try {
            Clear-SandboxRequestLog -Sandbox $sandbox
            Set-LogicConnectorManagedIdentity -ResourceId $blob -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFromDeployment,*'
            $failures[0].Exception.Message | Should -Match 'parameters\.json of Standard app la-contoso-vscode, set "azureblob-Authentication" to \{ "type": "Object", "value": \{ "type": "ManagedServiceIdentity" \} \}'
            Writes | Should -BeNullOrEmpty
        }
        finally { Set-SandboxSiteFile -Sandbox $sandbox -SiteId $app -FileName 'parameters.json' -Text $parameters.Text }
    }
}

Describe 'App-setting values never leave the module' {
    It 'shows no app-setting value in any stream, error or backup file' {
        $folder = Join-Path $TestDrive 'backups'
        $streams = & {
            Get-LogicConnectorStatus -ResourceGroupName rg-standard -SubscriptionId $prod -Verbose -Debug
            Test-LogicConnectorAuth -ResourceGroupName rg-standard -SubscriptionId $prod -Verbose -Debug
            Set-LogicConnectorManagedIdentity -ResourceId $blob -WhatIf -Verbose -BackupPath $folder
        } *>&1 | Out-String -Width 4096
        $files = if (Test-Path $folder) { Get-ChildItem $folder -Recurse -File | Get-Content -Raw } else { '' }
        foreach ($secret in $secrets) {
            $streams | Should -Not -Match ([regex]::Escape($secret))
            ($files -join "`n") | Should -Not -Match ([regex]::Escape($secret))
        }
    }
}
