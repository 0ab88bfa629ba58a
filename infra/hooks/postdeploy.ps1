# Create (or update) the Event Grid subscription that delivers BlobCreated events for manifests
# to the import_meeting blob trigger. Runs after `azd deploy`, when the extension key exists.
# Windows twin of postdeploy.sh: the same checks, az calls, filters and messages.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# sh's ${NAME:?}: stop when a variable azd should have set is unset or empty.
function Get-Required([string] $Name) {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ([string]::IsNullOrEmpty($value)) { throw "${Name}: parameter null or not set" }
    return $value
}

# sh's set -e: a failing az call stops the script (PowerShell does not stop on a native command's
# exit code by itself). Returns az's output with surrounding whitespace (CR LF) removed.
function Invoke-Az {
    $output = & az @args
    if ($LASTEXITCODE -ne 0) { throw "az $($args[0]) $($args[1]) failed with exit code $LASTEXITCODE" }
    return "$output".Trim()
}

$resourceGroup = Get-Required 'AZURE_RESOURCE_GROUP'
$appName = Get-Required 'AZURE_FUNCTION_APP_NAME'
$accountName = Get-Required 'AZURE_STORAGE_ACCOUNT_NAME'
$container = if ([string]::IsNullOrEmpty($env:AZURE_STAGING_CONTAINER)) { 'staging' } else { $env:AZURE_STAGING_CONTAINER }

$key = Invoke-Az functionapp keys list -g $resourceGroup -n $appName --query 'systemKeys.blobs_extension' -o tsv
if ([string]::IsNullOrEmpty($key)) {
    [Console]::Error.WriteLine('blobs_extension key not found: is the function app deployed?')
    exit 1
}
$storageId = Invoke-Az storage account show -g $resourceGroup -n $accountName --query id -o tsv
$topic = "evgt-$accountName"

# show fails when the topic does not exist yet: expected, so its output and error go nowhere.
$ErrorActionPreference = 'Continue'
& az eventgrid system-topic show -g $resourceGroup -n $topic *> $null
$topicExists = $LASTEXITCODE -eq 0
$ErrorActionPreference = 'Stop'
if (-not $topicExists) {
    $location = Invoke-Az group show -n $resourceGroup --query location -o tsv
    Invoke-Az eventgrid system-topic create -g $resourceGroup -n $topic --location $location `
        --topic-type microsoft.storage.storageaccounts --source $storageId | Out-Null
}

# The endpoint holds '&': az is az.cmd on Windows, and cmd.exe would cut the argument there. So az
# reads it from a file (az replaces an argument '@<path>' with that file's content), which also
# keeps the key off the command line.
$endpoint = "https://$appName.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.import_meeting&code=$key"
$endpointFile = [IO.Path]::GetTempFileName()
try {
    [IO.File]::WriteAllText($endpointFile, $endpoint)
    Invoke-Az eventgrid system-topic event-subscription create -g $resourceGroup `
        --system-topic-name $topic -n import-manifests `
        --endpoint-type webhook --endpoint "@$endpointFile" `
        --included-event-types Microsoft.Storage.BlobCreated `
        --subject-begins-with "/blobServices/default/containers/$container/blobs/manifests/" `
        --subject-ends-with '.json' | Out-Null
}
finally {
    Remove-Item -LiteralPath $endpointFile -Force -ErrorAction SilentlyContinue
}
Write-Host "Event Grid subscription import-manifests delivers $container/manifests/*.json to import_meeting"
