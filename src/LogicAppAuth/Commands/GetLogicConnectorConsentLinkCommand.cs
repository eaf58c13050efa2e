using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Consent;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands;

/// <summary>
/// Gets an OAuth consent link per connection (listConsentLinks), to open in any browser. Changes nothing in Azure.
/// The link is written to the output object only, never to verbose, debug or error records.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LogicConnectorConsentLink", DefaultParameterSetName = ByResourceIdSet)]
[OutputType(typeof(ConsentLink))]
public sealed class GetLogicConnectorConsentLinkCommand : SingleConnectionCmdlet
{
    /// <summary>
    /// Where the browser lands with the code: a name that never resolves (RFC 2606), so that no local program can
    /// listen there and take the code; the browser shows an error page whose address is what the user copies.
    /// </summary>
    internal const string DefaultRedirectUri = "https://logicappauth.invalid/consent";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string RedirectUri { get; set; } = DefaultRedirectUri;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ObjectId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    protected override void ProcessRecord()
    {
        var service = new ConsentService(Session);
        foreach (var connectionId in ConnectionIds())
        {
            Run(connectionId, async (sink, token) =>
                sink.WriteObject(await service.GetLinkAsync(connectionId, RedirectUri, ObjectId ?? "", TenantId ?? "", sink, token).ConfigureAwait(false)));
        }
    }
}
