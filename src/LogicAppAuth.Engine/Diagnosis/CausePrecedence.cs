using System.Collections.Generic;
using System.Linq;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>The contract's order of precedence (DESIGN §6): when several causes apply, the first one here is the Cause.</summary>
public static class CausePrecedence
{
    public static readonly IReadOnlyList<DiagnosisCause> Order = new[]
    {
        DiagnosisCause.ConnectionDeleted,
        DiagnosisCause.AppSettingMissing,
        DiagnosisCause.WrongTenant,
        DiagnosisCause.UserNotFound,
        DiagnosisCause.UserAccountDisabled,
        DiagnosisCause.CertificateExpired,
        DiagnosisCause.SecretExpired,
        DiagnosisCause.KeyRotated,
        DiagnosisCause.ManagedIdentityNotAssigned,
        DiagnosisCause.AccessPolicyMissing,
        DiagnosisCause.PermissionMissing,
        DiagnosisCause.OAuthTokenRevoked,
        DiagnosisCause.OAuthTokenExpired,
        DiagnosisCause.ConsentMissing,
        DiagnosisCause.Unknown,
    };

    public static int Rank(DiagnosisCause cause)
    {
        for (int i = 0; i < Order.Count; i++)
        {
            if (Order[i] == cause)
            {
                return i;
            }
        }

        return Order.Count;
    }

    /// <summary>The distinct causes, None dropped, in the order of precedence.</summary>
    public static IReadOnlyList<DiagnosisCause> Sort(IEnumerable<DiagnosisCause> causes) =>
        causes.Where(c => c != DiagnosisCause.None).Distinct().OrderBy(Rank).ToList();

    /// <summary>The first cause by precedence, or None.</summary>
    public static DiagnosisCause Primary(IEnumerable<DiagnosisCause> causes)
    {
        var sorted = Sort(causes);
        return sorted.Count == 0 ? DiagnosisCause.None : sorted[0];
    }

    public static string Join(IEnumerable<DiagnosisCause> causes) => string.Join(";", Sort(causes));
}
