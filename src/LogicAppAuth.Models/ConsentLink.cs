namespace LogicAppAuth;

/// <summary>
/// A consent link for one OAuth connection (listConsentLinks). Open Link in any browser, sign in as the account
/// the connection should use, then give the URL the browser lands on to Complete-LogicConnectorConsent.
/// The link is a credential-like secret: the module never writes it to a log, verbose or error stream.
/// </summary>
public sealed class ConsentLink
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public string ApiName { get; set; } = "";
    public string DisplayName { get; set; } = "";

    /// <summary>Unauthenticated, Authenticated or Error, as the service reports the connection's consent.</summary>
    public string Status { get; set; } = "";

    public string Link { get; set; } = "";
    public string FirstPartyLoginUri { get; set; } = "";

    /// <summary>Where the browser is sent after sign-in, with ?code=... appended.</summary>
    public string RedirectUri { get; set; } = "";

    /// <summary>The object id and tenant of the user the consent is for (sent again with the code).</summary>
    public string ObjectId { get; set; } = "";

    public string TenantId { get; set; } = "";
    public string ParameterName { get; set; } = "";
}

/// <summary>A connection after Complete-LogicConnectorConsent: confirmed, read again, and tested. Flat by contract.</summary>
public sealed class ConsentResult
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public string ApiName { get; set; } = "";
    public ConnectionStatus Status { get; set; }
    public bool Healthy { get; set; }
    public string AuthenticatedUser { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string ErrorCode { get; set; } = "";
    public string ErrorMessage { get; set; } = "";

    /// <summary>The live test's outcome, e.g. "testLinks GET 200", or "" when the connection has no test link.</summary>
    public string LiveTest { get; set; } = "";
}
