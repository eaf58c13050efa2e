# The per-resource baseline for the inventory benchmark: what operator scripts do today. List the resource groups of
# every subscription, list and then GET every connection and every workflow, ask every Standard app for its
# connections.json, and join them. One request at a time.
param(
    [Parameter(Mandatory)] [string] $ReadyFile
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'PinnedHttpClient.ps1')
$ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
$client = [LogicAppAuthBench.PinnedHandler]::Create($ready.certificatePath)
$client.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $ready.accessToken)
$base = $ready.resourceManagerUrl.TrimEnd('/')

function Invoke-Arm([string] $Method, [string] $PathOrUrl) {
    $uri = if ($PathOrUrl.StartsWith('https://')) { $PathOrUrl } else { "$base$PathOrUrl" }
    $response = $client.Send([System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), $uri))
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) { throw "$Method $uri -> $([int]$response.StatusCode) $text" }
    $text | ConvertFrom-Json
}

function Get-ArmList([string] $Path) {
    $next = $Path
    while ($next) {
        $page = Invoke-Arm GET $next
        $page.value
        $next = $page.PSObject.Properties['nextLink'] ? $page.nextLink : $null
    }
}

$connections = [System.Collections.Generic.List[object]]::new()
$usedBy = @{}
foreach ($subscription in Get-ArmList '/subscriptions?api-version=2022-12-01') {
    foreach ($group in Get-ArmList "/subscriptions/$($subscription.subscriptionId)/resourcegroups?api-version=2021-04-01") {
        $groupId = "/subscriptions/$($subscription.subscriptionId)/resourceGroups/$($group.name)"
        foreach ($listed in Get-ArmList "$groupId/providers/Microsoft.Web/connections?api-version=2016-06-01") {
            $connections.Add((Invoke-Arm GET "$($listed.id)?api-version=2016-06-01"))
        }
        foreach ($listed in Get-ArmList "$groupId/providers/Microsoft.Logic/workflows?api-version=2019-05-01") {
            $workflow = Invoke-Arm GET "$($listed.id)?api-version=2019-05-01"
            $parameters = $workflow.properties.parameters
            if ($parameters -and $parameters.PSObject.Properties['$connections']) {
                foreach ($reference in $parameters.'$connections'.value.PSObject.Properties.Value) {
                    $usedBy[$reference.connectionId.ToLowerInvariant()] += @($workflow.name)
                }
            }
        }
        foreach ($site in Get-ArmList "$groupId/providers/Microsoft.Web/sites?api-version=2023-12-01") {
            if ($site.kind -notlike '*workflowapp*') { continue }
            $files = (Invoke-Arm POST "$($site.id)/listWorkflowsConnections?api-version=2025-03-01").properties.files
            $managed = $files.'connections.json'.managedApiConnections
            if ($managed) {
                foreach ($reference in $managed.PSObject.Properties.Value) { $usedBy[$reference.connection.id.ToLowerInvariant()] += @($site.name) }
            }
        }
    }
}
foreach ($connection in $connections) {
    [pscustomobject]@{
        Name   = $connection.name
        Status = $connection.properties.statuses[0].status
        UsedBy = ($usedBy[$connection.id.ToLowerInvariant()] | Sort-Object) -join ';'
    }
}
