// Log Analytics + Application Insights, alerts on poison messages, failures and discovery lag.
param name string
param location string
param tags object
@description('Receives every alert through the action group; empty = no action group')
param alertEmail string = ''
param failureRateThresholdPercent int = 5
param discoveryLagMinutes int = 60

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 90
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'zoomarch'
    enabled: true
    emailReceivers: [ { name: 'admins', emailAddress: alertEmail, useCommonAlertSchema: true } ]
  }
}

var alerts = [
  {
    name: 'poison-messages'
    description: 'A work item reached a poison queue: a meeting is not archived until it is replayed.'
    severity: 1
    query: 'union traces, exceptions | where message has "poison" or message has "MaxDequeueCount" | summarize n = count()'
  }
  {
    name: 'failure-rate'
    description: 'More than ${failureRateThresholdPercent}% of function invocations failed.'
    severity: 2
    query: 'requests | summarize failed = countif(success == false), total = count() | where total > 0 and 100.0 * failed / total > ${failureRateThresholdPercent} | project n = failed'
  }
  {
    name: 'discovery-lag'
    description: 'No successful discovery run in ${discoveryLagMinutes} minutes.'
    severity: 2
    query: 'requests | where name == "discover" and success == true | where timestamp > ago(${discoveryLagMinutes}m) | summarize runs = count() | where runs == 0 | project n = 1'
  }
]

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for alert in alerts: {
  name: 'alert-${name}-${alert.name}'
  location: location
  tags: tags
  properties: {
    description: alert.description
    severity: alert.severity
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT15M'
    windowSize: alert.name == 'discovery-lag' ? 'PT2H' : 'PT15M'
    criteria: {
      allOf: [
        {
          query: alert.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    // Every alert notifies the action group (when there is one: alertEmail set).
    actions: empty(alertEmail) ? {} : { actionGroups: [ actionGroup.id ] }
  }
}]

// Saved queries in the workspace (Logs > Queries > "Zoom archiver").
var savedQueries = [
  {
    name: 'meetings-archived'
    displayName: 'Meetings archived per day'
    query: 'AppTraces | where Message startswith "import " and Properties.outcome == "created" | summarize items = count(), meetings = dcount(tostring(Properties.meeting)) by bin(TimeGenerated, 1d)'
  }
  {
    name: 'items-per-mailbox'
    displayName: 'Items and bytes per mailbox'
    query: 'AppTraces | where Message startswith "import " and Properties.outcome == "created" | summarize items = count(), bytes = sum(tolong(Properties.bytes)) by mailbox = tostring(Properties.mailbox)'
  }
  {
    name: 'failures'
    displayName: 'Failures by step and reason'
    query: 'AppTraces | where Properties.outcome == "error" | summarize count() by step = tostring(Properties.step), reason = tostring(Properties.reason), bin(TimeGenerated, 1h)'
  }
  {
    name: 'lag'
    displayName: 'Meeting start to item created (p50/p95)'
    query: 'AppMetrics | where Name == "archiver.lag" | summarize p50 = percentile(Sum / ItemCount, 50), p95 = percentile(Sum / ItemCount, 95) by bin(TimeGenerated, 1h)'
  }
]

resource queries 'Microsoft.OperationalInsights/workspaces/savedSearches@2020-08-01' = [for q in savedQueries: {
  parent: workspace
  name: 'zoom-archiver-${q.name}'
  properties: {
    category: 'Zoom archiver'
    displayName: q.displayName
    query: q.query
    version: 2
  }
}]

output insightsId string = insights.id
output connectionString string = insights.properties.ConnectionString
output workspaceId string = workspace.id
