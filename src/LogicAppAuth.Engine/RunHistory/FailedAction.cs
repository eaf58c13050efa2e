using System;

namespace LogicAppAuth.Engine.RunHistory;

/// <summary>An action (or trigger) of a failed workflow run that failed with an authentication or authorization error.</summary>
internal sealed class FailedAction
{
    public FailedAction(string runName, DateTimeOffset? runStart, string actionName, string code, string message)
    {
        RunName = runName;
        RunStart = runStart;
        ActionName = actionName;
        Code = code;
        Message = message;
    }

    public string RunName { get; }
    public DateTimeOffset? RunStart { get; }
    public string ActionName { get; }
    public string Code { get; }
    public string Message { get; }
}
