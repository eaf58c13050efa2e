# The per-connection baseline for the diagnose benchmark: what an operator script does today, one connection after
# the other and one request at a time, with no caching. For each connection: read it, read its subscription's tenant,
# look its user up in Microsoft Graph, look its application up in Graph, and for managed-identity connections list
# the workflows of its resource group and the role assignments of the identity that uses it.
param(
    [Parameter(Mandatory)] [string] $ReadyFile
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'PinnedHttpClient.ps1')
$ready = Get-Content $ReadyFile -Raw | ConvertFrom-Json
$arm = [LogicAppAuthBench.PinnedHandler]::Create($ready.certificatePath)
$arm.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $ready.accessToken)
$graph = [LogicAppAuthBench.PinnedHandler]::Create($ready.certificatePath)
$graph.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $ready.microsoftGraphAccessToken)
$armBase = $ready.resourceManagerUrl.TrimEnd('/')
$graphBase = $ready.graphUrl.TrimEnd('/') + '/v1.0'

function Invoke-Json($Client, [string] $Uri) {
    $response = $Client.Send([System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, $Uri))
    [pscustomobject]@{ Status = [int]$response.StatusCode; Body = ($response.Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json -Depth 64) }
}

function Get-ArmList([string] $Path) {
    $next = "$armBase$Path"
    while ($next) {
        $page = (Invoke-Json $arm $next).Body
        $page.value
        $next = $page.PSObject.Properties['nextLink'] ? $page.nextLink : $null
    }
}

$ids = foreach ($subscription in Get-ArmList '/subscriptions?api-version=2022-12-01') {
    foreach ($group in Get-ArmList "/subscriptions/$($subscription.subscriptionId)/resourcegroups?api-version=2021-04-01") {
        (Get-ArmList "/subscriptions/$($subscription.subscriptionId)/resourceGroups/$($group.name)/providers/Microsoft.Web/connections?api-version=2016-06-01").id
    }
}
foreach ($id in $ids) {
    $connection = (Invoke-Json $arm "$armBase$($id)?api-version=2016-06-01").Body
    $parts = $id.Split('/')
    $tenant = (Invoke-Json $arm "$armBase/subscriptions/$($parts[2])?api-version=2022-12-01").Body.tenantId
    $causes = @()
    $p = $connection.properties
    $user = $p.authenticatedUser.PSObject.Properties['name'] ? $p.authenticatedUser.name : ''
    if ($user) {
        $answer = Invoke-Json $graph "$graphBase/users/$([uri]::EscapeDataString($user))?`$select=id,accountEnabled"
        if ($answer.Status -eq 404) { $causes += 'UserNotFound' } elseif ($answer.Body.accountEnabled -eq $false) { $causes += 'UserAccountDisabled' }
    }
    $values = $p.PSObject.Properties['nonSecretParameterValues'] ? $p.nonSecretParameterValues : $null
    if ($values -and $values.PSObject.Properties['token:clientId']) {
        $app = (Invoke-Json $graph "$graphBase/applications?`$filter=appId%20eq%20'$($values.'token:clientId')'&`$select=id,passwordCredentials,keyCredentials").Body.value | Select-Object -First 1
        if ($app -and -not ($app.passwordCredentials | Where-Object { [datetimeoffset]$_.endDateTime -gt [datetimeoffset]::UtcNow })) { $causes += 'SecretExpired' }
    }
    if ($values -and $values.PSObject.Properties['token:TenantId'] -and $values.'token:TenantId' -ne $tenant) { $causes += 'WrongTenant' }
    if ($p.PSObject.Properties['parameterValueSet'] -and $p.parameterValueSet.name -eq 'managedIdentityAuth') {
        $group = ($parts[0..4]) -join '/'
        foreach ($workflow in Get-ArmList "$group/providers/Microsoft.Logic/workflows?api-version=2019-05-01") {
            $refs = $workflow.properties.parameters.'$connections'.value
            if ($refs -and ($refs.PSObject.Properties.Value | Where-Object connectionId -eq $id)) {
                if (-not $workflow.PSObject.Properties['identity'] -or -not $workflow.identity.principalId) { $causes += 'ManagedIdentityNotAssigned'; continue }
                $filter = [uri]::EscapeDataString("principalId eq '$($workflow.identity.principalId)'")
                if (-not @(Get-ArmList "/subscriptions/$($parts[2])/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&`$filter=$filter")) { $causes += 'PermissionMissing' }
            }
        }
    }
    [pscustomobject]@{ ResourceId = $id; Cause = ($causes | Select-Object -First 1) }
}
