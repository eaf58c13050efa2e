using System;
using System.Collections.Generic;
using System.Linq;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>
/// What the checks found for one connection: proven causes with their evidence, plain observations, checks that
/// could not run, and failures seen without a proven cause. Thread-safe: checks may report concurrently.
/// </summary>
public sealed class DiagnosisFindings
{
    private readonly object _gate = new object();
    private readonly List<(DiagnosisCause Cause, string Evidence)> _causes = new List<(DiagnosisCause, string)>();
    private readonly List<string> _notes = new List<string>();
    private readonly List<string> _skipped = new List<string>();
    private bool _failureSeen;
    private MissingGrant? _missingGrant;

    /// <summary>What PermissionMissing lacks (principal, role, scope), for the fix command; the last one found.</summary>
    public MissingGrant? MissingGrant
    {
        get { lock (_gate) { return _missingGrant; } }
        set { lock (_gate) { _missingGrant = value; } }
    }

    /// <summary>A cause proven by <paramref name="evidence"/>.</summary>
    public void Add(DiagnosisCause cause, string evidence)
    {
        if (cause == DiagnosisCause.None)
        {
            Note(evidence);
            return;
        }

        lock (_gate)
        {
            _causes.Add((cause, evidence));
        }
    }

    /// <summary>Something seen that proves no cause by itself (e.g. "user enabled", "live test 200").</summary>
    public void Note(string evidence)
    {
        if (!string.IsNullOrWhiteSpace(evidence))
        {
            lock (_gate)
            {
                _notes.Add(evidence);
            }
        }
    }

    /// <summary>A failure that proves no particular cause (a live test or a run that failed): the connection is not healthy.</summary>
    public void Failure(string evidence)
    {
        lock (_gate)
        {
            _failureSeen = true;
            _notes.Add(evidence);
        }
    }

    /// <summary>A check that could not run; the connection is then never called healthy.</summary>
    public void Skip(string check, string reason)
    {
        lock (_gate)
        {
            _skipped.Add($"{check} skipped: {reason}");
        }
    }

    public IReadOnlyList<DiagnosisCause> Causes
    {
        get { lock (_gate) { return CausePrecedence.Sort(_causes.Select(c => c.Cause)); } }
    }

    public bool Has(DiagnosisCause cause)
    {
        lock (_gate) { return _causes.Any(c => c.Cause == cause); }
    }

    public IReadOnlyList<string> Skipped
    {
        get { lock (_gate) { return _skipped.ToList(); } }
    }

    public bool FailureSeen
    {
        get { lock (_gate) { return _failureSeen; } }
    }

    /// <summary>
    /// The causes that apply: the proven ones; or Unknown when none is proven but a failure was seen or a check
    /// was skipped (the connection is then not called healthy, and nothing is guessed).
    /// </summary>
    public IReadOnlyList<DiagnosisCause> EffectiveCauses(bool statusIsError)
    {
        lock (_gate)
        {
            var proven = CausePrecedence.Sort(_causes.Select(c => c.Cause));
            if (proven.Count > 0)
            {
                return proven;
            }

            return _failureSeen || _skipped.Count > 0 || statusIsError ? new[] { DiagnosisCause.Unknown } : Array.Empty<DiagnosisCause>();
        }
    }

    /// <summary>One line: cause evidence in precedence order, then observations, then skipped checks.</summary>
    public string Evidence()
    {
        lock (_gate)
        {
            var parts = _causes.OrderBy(c => CausePrecedence.Rank(c.Cause)).Select(c => c.Evidence)
                .Concat(_notes)
                .Concat(_skipped)
                .Where(p => !string.IsNullOrWhiteSpace(p))
                .Distinct(StringComparer.Ordinal);
            return string.Join("; ", parts);
        }
    }
}

/// <summary>The grant that would clear PermissionMissing: a role at a scope, or (RoleName empty) a Key Vault access policy.</summary>
public sealed class MissingGrant
{
    public MissingGrant(string principalId, string roleName, string scope, string vaultName)
    {
        PrincipalId = principalId;
        RoleName = roleName;
        Scope = scope;
        VaultName = vaultName;
    }

    public string PrincipalId { get; }
    public string RoleName { get; }
    public string Scope { get; }
    public string VaultName { get; }
}
