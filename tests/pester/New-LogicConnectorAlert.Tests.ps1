BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $sandbox = Get-TestSandbox
    $prod = $Contoso.SubscriptionId
    $group = "/subscriptions/$prod/resourceGroups/rg-integration"
    $actionGroup = "$group/providers/microsoft.insights/actionGroups/ag-integration-oncall"
    $connect = Get-SandboxConnectParameters $sandbox
    Connect-LogicAppAuth @connect | Out-Null
    function Writes { @(Get-SandboxRequestLog $sandbox | Where-Object { $_.method -in 'PUT', 'PATCH', 'DELETE' -or ($_.method -eq 'POST' -and $_.path -like '/subscriptions/*') }) }
    function Get-Rule([string] $Name) {
        $token = New-SandboxToken -Sandbox $sandbox
        $uri = "$($sandbox.endpoint)$group/providers/Microsoft.Insights/metricAlerts/$($Name)?api-version=2018-03-01"
        $text = & curl --silent --cacert $sandbox.certificatePath -H "Authorization: Bearer $token" $uri
        $text | ConvertFrom-Json -Depth 20
    }
}
AfterAll { Disconnect-LogicAppAuth }

Describe 'New-LogicConnectorAlert' {
    It '-WhatIf says what it would create and sends no write' {
        Clear-SandboxRequestLog $sandbox
        $said = New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -WhatIf 6>&1 | Out-String
        $result = @(New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -WhatIf)
        $result.Count | Should -Be 0
        Writes | Should -BeNullOrEmpty
        (Get-Rule 'wf-daily-report-runs-failed').error.code | Should -Be 'ResourceNotFound'
    }

    It 'creates the RunsFailed > 0 over PT5M rule of the troubleshooting guide' {
        Clear-SandboxRequestLog $sandbox
        $alert = New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -Severity 2
        $alert | Should -BeOfType ([LogicAppAuth.ConnectorAlert])
        $alert.Action | Should -Be 'Created'
        $alert.Name | Should -Be 'wf-daily-report-runs-failed'
        $alert.ResourceId | Should -Be "$group/providers/Microsoft.Insights/metricAlerts/wf-daily-report-runs-failed"
        $alert.ResourceGroupName | Should -Be 'rg-integration'
        $alert.SubscriptionId | Should -Be $prod
        @(Writes).Count | Should -Be 1
        (Writes)[0].method | Should -Be 'PUT'
        $rule = Get-Rule 'wf-daily-report-runs-failed'
        $rule.location | Should -Be 'global'
        $rule.properties.scopes | Should -Be "$group/providers/Microsoft.Logic/workflows/wf-daily-report"
        $rule.properties.windowSize | Should -Be 'PT5M'
        $rule.properties.evaluationFrequency | Should -Be 'PT1M'
        $rule.properties.severity | Should -Be 2
        $criterion = $rule.properties.criteria.allOf[0]
        $rule.properties.criteria.'odata.type' | Should -Be 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        $criterion.metricName | Should -Be 'RunsFailed'
        $criterion.operator | Should -Be 'GreaterThan'
        $criterion.threshold | Should -Be 0
        $criterion.timeAggregation | Should -Be 'Total'
        $rule.properties.actions[0].actionGroupId | Should -Be $actionGroup
    }

    It 'is idempotent: an identical existing rule gets no write' {
        Clear-SandboxRequestLog $sandbox
        $again = New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -Severity 2
        $again.Action | Should -Be 'Unchanged'
        Writes | Should -BeNullOrEmpty
    }

    It 'updates only what differs, and -WhatIf on an update sends nothing either' {
        Clear-SandboxRequestLog $sandbox
        New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -Severity 1 -WhatIf
        Writes | Should -BeNullOrEmpty
        $updated = New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -Severity 1
        $updated.Action | Should -Be 'Updated'
        $updated.Changes | Should -Be 'severity'
        @(Writes).Count | Should -Be 1
        (Get-Rule 'wf-daily-report-runs-failed').properties.severity | Should -Be 1
    }

    It 'refuses to overwrite a rule someone saved between the read and the write, and sends no PUT' {
        $rule = "$group/providers/Microsoft.Insights/metricAlerts/wf-daily-report-runs-failed"
        Set-SandboxConcurrentWriter -Sandbox $sandbox -Path $rule -AfterReads 1
        Clear-SandboxRequestLog $sandbox
        New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -Severity 3 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConcurrentChange,*'
        $failed[0].TargetObject | Should -Be $rule
        Writes | Should -BeNullOrEmpty
        (Get-Rule 'wf-daily-report-runs-failed').tags.savedBy | Should -Be 'someone-else'
        (Get-Rule 'wf-daily-report-runs-failed').properties.severity | Should -Be 1
    }

    It 'takes workflows piped from Get-AzLogicApp (Id) and from Get-AzResource (ResourceId)' {
        $piped = @(
            [pscustomobject]@{ Id = "$group/providers/Microsoft.Logic/workflows/wf-payroll"; Name = 'wf-payroll'; Location = 'westeurope' }
            [pscustomobject]@{ ResourceId = "$group/providers/Microsoft.Logic/workflows/wf-teams-notify"; ResourceType = 'Microsoft.Logic/workflows' }
        ) | New-LogicConnectorAlert -ActionGroupId $actionGroup
        $piped.Name | Should -Be @('wf-payroll-runs-failed', 'wf-teams-notify-runs-failed')
        $piped.Action | Sort-Object -Unique | Should -Be 'Created'
    }

    It 'refuses what is not a Consumption workflow, and a workflow that does not exist, and goes on' {
        $out = @("$group/providers/Microsoft.Web/connections/office365-healthy", "$group/providers/Microsoft.Logic/workflows/wf-missing", "$group/providers/Microsoft.Logic/workflows/wf-guest-digest") |
            New-LogicConnectorAlert -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.FullyQualifiedErrorId | Should -Contain 'NotAConsumptionWorkflow,LogicAppAuth.Commands.NewLogicConnectorAlertCommand'
        @($failures).Count | Should -Be 2
        $out.Name | Should -Be 'wf-guest-digest-runs-failed'
    }

    It 'pipes into ConvertTo-Json and Export-Csv' {
        $alert = New-LogicConnectorAlert -WorkflowId "$group/providers/Microsoft.Logic/workflows/wf-daily-report" -ActionGroupId $actionGroup -Severity 1
        ($alert | ConvertTo-Json | ConvertFrom-Json).Condition | Should -Be 'RunsFailed Total > 0 over PT5M, every PT1M'
        $csv = Join-Path $TestDrive 'alerts.csv'
        $alert | Export-Csv $csv -NoTypeInformation
        (Import-Csv $csv).Action | Should -Be 'Unchanged'
    }
}
