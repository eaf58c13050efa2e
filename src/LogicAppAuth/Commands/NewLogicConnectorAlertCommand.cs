using System;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Monitoring;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Creates the Azure Monitor metric alert "RunsFailed &gt; 0 over 5 minutes" for each Consumption workflow piped in.
/// Each rule is planned first (read the workflow and any rule of the same name); an identical rule is left alone,
/// and nothing is written unless ShouldProcess agrees.
/// </summary>
[Cmdlet(VerbsCommon.New, "LogicConnectorAlert", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ConnectorAlert))]
public sealed class NewLogicConnectorAlertCommand : LogicAppAuthCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ResourceId", "Id")]
    [ValidateNotNullOrEmpty]
    public string[] WorkflowId { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ActionGroupId { get; set; }

    [Parameter]
    [ValidateRange(0, 4)]
    public int Severity { get; set; } = 3;

    [Parameter]
    [ValidateSet("PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D")]
    public string WindowSize { get; set; } = "PT5M";

    [Parameter]
    [ValidateSet("PT1M", "PT5M", "PT15M", "PT30M", "PT1H")]
    public string EvaluationFrequency { get; set; } = "PT1M";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var request = new MetricAlertRequest
        {
            ActionGroupIds = ActionGroupId ?? Array.Empty<string>(),
            Severity = Severity,
            WindowSize = WindowSize,
            EvaluationFrequency = EvaluationFrequency,
            Description = Description,
        };
        foreach (var id in WorkflowId)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                continue;
            }

            MetricAlertPlan? plan = null;
            Run(id, async (sink, token) => plan = await new MetricAlertWriter(session, sink, request).PlanAsync(id, token).ConfigureAwait(false));
            if (plan == null)
            {
                continue;
            }

            if (!plan.NeedsWrite)
            {
                WriteVerbose($"Metric alert rule '{plan.Alert.Name}' already exists as requested; nothing was written.");
                WriteObject(plan.Alert);
                continue;
            }

            if (ShouldProcess(plan.Alert.ResourceId, plan.Description))
            {
                var ready = plan;
                Run(plan.Alert.ResourceId, async (sink, token) => sink.WriteObject(await new MetricAlertWriter(session, sink, request).ApplyAsync(ready, token).ConfigureAwait(false)));
            }
        }
    }
}
