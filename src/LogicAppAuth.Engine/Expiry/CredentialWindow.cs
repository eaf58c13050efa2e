using System;

namespace LogicAppAuth.Engine.Expiry;

/// <summary>
/// Which end dates a listing keeps. Days are whole UTC calendar days: a credential that ends at any time on the UTC
/// date <c>today + N</c> has DaysRemaining N. The default window keeps what has already expired and what ends within
/// <c>WithinDays</c> days (DaysRemaining ≤ WithinDays); ExcludeExpired drops the expired ones. Pure.
/// </summary>
public sealed class CredentialWindow
{
    public const int DefaultWithinDays = 30;

    public CredentialWindow(DateTimeOffset now, int withinDays = DefaultWithinDays, bool excludeExpired = false)
    {
        if (withinDays < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(withinDays), "WithinDays cannot be negative.");
        }

        Now = now;
        WithinDays = withinDays;
        ExcludeExpired = excludeExpired;
    }

    public DateTimeOffset Now { get; }
    public int WithinDays { get; }
    public bool ExcludeExpired { get; }

    public static int DaysRemaining(DateTimeOffset end, DateTimeOffset now) =>
        (int)(end.UtcDateTime.Date - now.UtcDateTime.Date).TotalDays;

    public static bool IsExpired(DateTimeOffset end, DateTimeOffset now) => end <= now;

    public int DaysRemaining(DateTimeOffset end) => DaysRemaining(end, Now);

    public bool IsExpired(DateTimeOffset end) => IsExpired(end, Now);

    /// <summary>True when a credential ending at <paramref name="end"/> (expired or not, as <paramref name="expired"/> says) is listed.</summary>
    public bool Keeps(DateTimeOffset end, bool expired)
    {
        if (expired)
        {
            return !ExcludeExpired;
        }

        return DaysRemaining(end) <= WithinDays;
    }
}
