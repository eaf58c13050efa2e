using System;

namespace LogicAppAuth;

/// <summary>
/// A credential that has expired or expires soon: a client secret or certificate of an app registration or service
/// principal, or the refresh token behind an OAuth connection (estimated). Flat by contract: scalar properties only.
/// </summary>
/// <remarks>
/// ResourceId/SubscriptionId/ResourceGroupName/Name: for a Secret or Certificate they describe the Graph object that
/// holds the credential (ResourceId = "/applications/{objectId}" or "/servicePrincipals/{objectId}", the object's
/// path under Microsoft Graph's version root; SubscriptionId and ResourceGroupName empty; Name = its display name).
/// For an OAuthConsent row they are the connection's ARM id, subscription, group and name.
/// </remarks>
public sealed class ExpiringCredential
{
    public string ResourceId { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroupName { get; set; } = "";
    public string Name { get; set; } = "";
    public CredentialKind Kind { get; set; }

    /// <summary>Application, ServicePrincipal (the Graph object that holds the credential) or Connection (OAuthConsent rows).</summary>
    public string Source { get; set; } = "";

    /// <summary>The application's or service principal's display name; the connection's display name for OAuthConsent rows.</summary>
    public string DisplayName { get; set; } = "";

    public string AppId { get; set; } = "";

    /// <summary>The Graph object id of the application or service principal; empty for OAuthConsent rows.</summary>
    public string ObjectId { get; set; } = "";

    /// <summary>The Graph keyId of the secret or certificate; empty for OAuthConsent rows.</summary>
    public string CredentialId { get; set; } = "";

    /// <summary>The credential's own display name (a secret's description, a certificate's subject).</summary>
    public string CredentialName { get; set; } = "";

    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset EndDateTime { get; set; }

    /// <summary>Whole UTC calendar days from today to the end date: 0 = ends today, negative = ended that many days ago.</summary>
    public int DaysRemaining { get; set; }

    /// <summary>True when the end date is in the past (or, for an OAuth connection, its status already reports the token dead).</summary>
    public bool Expired { get; set; }

    /// <summary>Names of the API connections that depend on this credential, ';'-joined.</summary>
    public string UsedBy { get; set; } = "";

    public int UsedByCount { get; set; }

    /// <summary>ARM ids of those connections, ';'-joined (split and pipe them to Get-LogicConnectorStatus).</summary>
    public string UsedByResourceId { get; set; } = "";

    /// <summary>How EndDateTime was found: Graph (exact), RunHistory, ChangedTime or ConnectionStatus (OAuthConsent estimates).</summary>
    public string EstimateBasis { get; set; } = "";

    /// <summary>The connector of an OAuthConsent row (office365, sharepointonline...).</summary>
    public string ApiName { get; set; } = "";

    /// <summary>The account that must sign in again for an OAuthConsent row.</summary>
    public string AuthenticatedUser { get; set; } = "";

    /// <summary>One line on what was seen, e.g. the last successful run or the connection's error.</summary>
    public string Detail { get; set; } = "";
}

public enum CredentialKind
{
    Secret,
    Certificate,
    OAuthConsent,

    /// <summary>A shared access signature in a Standard app's built-in connection, ending at its se= time.</summary>
    SharedAccessSignature,
}
