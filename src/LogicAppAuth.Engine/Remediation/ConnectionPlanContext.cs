using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>What every step of planning one connection's fix works on: the plan, the connection as read, its connector, and the call's clients.</summary>
internal sealed class ConnectionPlanContext
{
    public ConnectionPlanContext(RemediationPlan plan, RemediationReads reads, AzureResourceId id, JsonObject connection, string apiName, ConnectorShape shape,
        IReadOnlyDictionary<string, string> parameters, IOperationSink sink, CancellationToken cancellationToken)
    {
        Plan = plan;
        Reads = reads;
        Id = id;
        Connection = connection;
        ApiName = apiName;
        Shape = shape;
        Parameters = parameters;
        Sink = sink;
        CancellationToken = cancellationToken;
    }

    public RemediationPlan Plan { get; }
    public RemediationReads Reads { get; }

    /// <summary>The connection's id.</summary>
    public AzureResourceId Id { get; }

    /// <summary>The connection document as read before planning.</summary>
    public JsonObject Connection { get; }

    public string ApiName { get; }

    /// <summary>How the connector signs in with a managed identity (from its metadata).</summary>
    public ConnectorShape Shape { get; }

    /// <summary>The connection's non-secret parameter values.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public IOperationSink Sink { get; }
    public CancellationToken CancellationToken { get; }
}
