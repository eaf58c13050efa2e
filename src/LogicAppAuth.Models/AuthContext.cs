namespace LogicAppAuth;

/// <summary>What Connect-LogicAppAuth signed in with. Never carries a token or secret.</summary>
public sealed class AuthContext
{
    public string Environment { get; set; } = "";
    public string AuthenticationMethod { get; set; } = "";
    public string Account { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceManagerUrl { get; set; } = "";
    public string GraphUrl { get; set; } = "";
    public string AuthorityHost { get; set; } = "";
    public string TrustedCertificateThumbprint { get; set; } = "";
}
