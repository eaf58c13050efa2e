using System.Text.Json;

namespace LogicAppAuth.Sandbox.Hosting;

public sealed record ReadySubscription(string SubscriptionId, string TenantId, string DisplayName);

public sealed record ReadyPrincipal(string TenantId, string ClientId, string ClientSecret, string ObjectId);

/// <summary>The ready-file: how a client reaches and signs in to a running sandbox, and the moment its
/// scenario's times are relative to: a time written <c>t</c> in the scenario file is served as
/// <c>TimeAnchor + (t − ScenarioTimesAsOf)</c>.</summary>
public sealed record ReadyInfo(
    int Pid,
    string Endpoint,
    string ResourceManagerUrl,
    string GraphUrl,
    string AuthorityHost,
    string CertificatePath,
    string TenantId,
    string Scenario,
    IReadOnlyList<ReadySubscription> Subscriptions,
    string IdentityEndpoint,
    string IdentityHeader,
    ReadyPrincipal? ServicePrincipal,
    string AccessToken,
    string MicrosoftGraphAccessToken,
    IReadOnlyDictionary<string, ReadyPrincipal> Principals,
    DateTimeOffset TimeAnchor,
    DateTimeOffset? ScenarioTimesAsOf)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A time as the scenario file writes it, as this sandbox serves it.</summary>
    public DateTimeOffset Served(string written) =>
        TimeAnchor + (DateTimeOffset.Parse(written, System.Globalization.CultureInfo.InvariantCulture) - (ScenarioTimesAsOf ?? TimeAnchor));

    /// <summary>Writes to a temporary file and renames it, so a reader never sees half a file.</summary>
    public void WriteAtomically(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static ReadyInfo Read(string path) =>
        JsonSerializer.Deserialize<ReadyInfo>(File.ReadAllText(path), Json) ?? throw new InvalidDataException("Empty ready-file.");
}
