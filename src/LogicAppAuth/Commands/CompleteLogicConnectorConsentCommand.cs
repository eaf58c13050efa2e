using System.Management.Automation;
using System.Security;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Consent;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Completes OAuth consent for a connection: sends the code (given, or read from the URL the browser landed on) to
/// confirmConsentCode, then reads the connection again and tests it. The code is never written to any log stream.
/// </summary>
[Cmdlet(VerbsLifecycle.Complete, "LogicConnectorConsent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = CodeSet)]
[OutputType(typeof(ConsentResult))]
public sealed class CompleteLogicConnectorConsentCommand : LogicAppAuthCmdlet
{
    private const string RedirectUrlSet = "RedirectUrl";
    private const string CodeSet = "Code";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string? ResourceId { get; set; }

    [Parameter(ParameterSetName = RedirectUrlSet, Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? RedirectUrl { get; set; }

    /// <summary>The code alone, as a SecureString (or a string); left out, PowerShell prompts for it without echoing it.</summary>
    [Parameter(ParameterSetName = CodeSet, Mandatory = true)]
    [SecureStringTransformation]
    public SecureString? Code { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ObjectId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    protected override void ProcessRecord()
    {
        var connectionId = ResourceId!.Trim();
        string code;
        try
        {
            code = ParameterSetName == CodeSet ? (SecureStrings.Reveal(Code) ?? "").Trim() : ConsentService.CodeFromRedirectUrl(RedirectUrl!, connectionId);
        }
        catch (LogicAppAuthException e)
        {
            WriteError(ErrorRecordFactory.Create(e));
            return;
        }

        if (!ShouldProcess($"Confirm the OAuth consent of connection {connectionId} with the code from the sign-in, then read it again and test it",
                $"Authorize connection {connectionId}?", "Complete-LogicConnectorConsent"))
        {
            return;
        }

        var service = new ConsentService(Session);
        Run(connectionId, async (sink, token) =>
            sink.WriteObject(await service.CompleteAsync(connectionId, code, ObjectId ?? "", TenantId ?? "", sink, token).ConfigureAwait(false)));
    }
}
