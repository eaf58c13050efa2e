using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>
/// What a Standard app's connections.json refers to outside itself, as Visual Studio Code and pipeline deployments
/// write it: app settings (<c>@appsetting('NAME')</c>, or <c>@{appsetting('NAME')}</c> inside a string) and
/// parameters.json values (<c>@parameters('NAME')</c>). Only the settings the file names are kept, in memory: their
/// values can hold keys, so they are never logged, output or stored. A value that could not be read leaves the
/// expression unresolved, and <see cref="Unreadable"/> says why.
/// </summary>
internal sealed class DeploymentValues
{
    public static readonly DeploymentValues None = new DeploymentValues(new Dictionary<string, string>(), null, "");

    private static readonly Regex AppSetting = new Regex(@"@\{?\s*appsetting\(\s*'(?<name>[^']+)'\s*\)\s*\}?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex WholeParameter = new Regex(@"^\s*@parameters\(\s*'(?<name>[^']+)'\s*\)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly JsonElement? _parameters;
    private readonly bool _settingsRead;

    private DeploymentValues(IReadOnlyDictionary<string, string> settings, JsonElement? parameters, string unreadable, bool settingsRead = false)
    {
        _settings = settings;
        _parameters = parameters;
        _settingsRead = settingsRead;
        Unreadable = unreadable;
    }

    /// <summary>Values already read: the app settings the file names and parameters.json's content.</summary>
    internal static DeploymentValues Of(IReadOnlyDictionary<string, string> settings, JsonElement? parameters) =>
        new DeploymentValues(new Dictionary<string, string>(settings.ToDictionary(p => p.Key, p => p.Value), StringComparer.OrdinalIgnoreCase), parameters, "", settingsRead: true);

    /// <summary>Why some referenced value could not be read ("" when everything was).</summary>
    public string Unreadable { get; }

    /// <summary>True when the app settings were read, so that a name not among them is known to be absent.</summary>
    public bool SettingsRead => _settingsRead;

    /// <summary>The app settings <paramref name="text"/> names (<c>@appsetting('NAME')</c>, <c>@{appsetting('NAME')}</c>).</summary>
    public static IReadOnlyList<string> SettingsIn(string text) => SettingNames(text).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>True when a setting the file names is absent or empty (known only when the settings were read).</summary>
    public bool IsMissing(string name) => _settingsRead && (!_settings.TryGetValue(name, out var value) || value.Length == 0);

    /// <summary>True when <paramref name="text"/> holds an app-setting or parameter expression.</summary>
    public static bool IsExpression(string text) => AppSetting.IsMatch(text) || WholeParameter.IsMatch(text);

    /// <summary>
    /// Reads what <paramref name="connectionsFile"/> refers to: the site's app settings (<c>config/appsettings/list</c>, which
    /// needs Microsoft.Web/sites/config/list/action) only when it names one, parameters.json (through the host runtime)
    /// only when it names a parameter. A refusal is kept as <see cref="Unreadable"/>, not thrown.
    /// </summary>
    public static async Task<DeploymentValues> ReadAsync(ArmRestClient arm, string siteId, JsonElement connectionsFile, CancellationToken cancellationToken)
    {
        var strings = Strings(connectionsFile).ToList();
        var names = new HashSet<string>(strings.SelectMany(SettingNames), StringComparer.OrdinalIgnoreCase);
        bool wantsParameters = strings.Any(t => t.IndexOf("@parameters(", StringComparison.OrdinalIgnoreCase) >= 0);
        if (names.Count == 0 && !wantsParameters)
        {
            return None;
        }

        var reasons = new List<string>();
        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        bool read = false;
        JsonElement? parameterValues = null;
        if (wantsParameters)
        {
            try
            {
                var (file, _) = await arm.GetFileAsync($"{siteId}/hostruntime/admin/vfs/parameters.json?relativePath=1&api-version={ApiVersions.HostRuntime}",
                    $"{siteId}/hostruntime/admin/vfs/parameters.json", cancellationToken).ConfigureAwait(false);
                using var document = JsonDocument.Parse(file.TrimStart('\uFEFF'));
                parameterValues = document.RootElement.Clone();
                names.UnionWith(Strings(document.RootElement).SelectMany(SettingNames));
            }
            catch (LogicAppAuthException e) when (e.HttpStatus >= 400 && e.HttpStatus != 401)
            {
                reasons.Add($"parameters.json not readable ({e.HttpStatus} {e.ErrorId})");
            }
            catch (JsonException)
            {
                reasons.Add("parameters.json is not valid JSON");
            }
        }

        if (names.Count > 0)
        {
            try
            {
                using var answer = await arm.PostAsync($"{siteId}/config/appsettings/list?api-version={ApiVersions.Sites}", null, siteId, cancellationToken).ConfigureAwait(false);
                read = true;
                if (Json.Path(answer.RootElement, "properties") is JsonElement properties && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var setting in properties.EnumerateObject().Where(p => names.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.String))
                    {
                        kept[setting.Name] = setting.Value.GetString() ?? "";
                    }
                }
            }
            catch (LogicAppAuthException e) when (e.HttpStatus >= 400 && e.HttpStatus != 401)
            {
                reasons.Add($"app settings not readable ({e.HttpStatus} {e.ErrorId}; it needs Microsoft.Web/sites/config/list/action, e.g. Website Contributor)");
            }
        }

        return new DeploymentValues(kept, parameterValues, string.Join("; ", reasons), read);
    }

    /// <summary>Every string value in a document (decoded, so that escaped quotes read as quotes).</summary>
    private static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString() ?? "";
                break;
            case JsonValueKind.Object:
                foreach (var text in element.EnumerateObject().SelectMany(p => Strings(p.Value)))
                {
                    yield return text;
                }

                break;
            case JsonValueKind.Array:
                foreach (var text in element.EnumerateArray().SelectMany(Strings))
                {
                    yield return text;
                }

                break;
        }
    }

    private static IEnumerable<string> SettingNames(string text) => AppSetting.Matches(text).Cast<Match>().Select(m => m.Groups["name"].Value);

    /// <summary>The text with every app-setting expression replaced by its value; null when one of them is unknown or empty.</summary>
    public string? Resolve(string text)
    {
        bool unknown = false;
        var resolved = AppSetting.Replace(text, m =>
        {
            if (_settings.TryGetValue(m.Groups["name"].Value, out var value) && value.Length > 0)
            {
                return value;
            }

            unknown = true;
            return m.Value;
        });
        return unknown ? null : resolved;
    }

    /// <summary>
    /// The authentication an entry takes effect with, as (type, identity): an object's own members (app settings
    /// resolved), or the value of the parameter <c>@parameters('…')</c> names. Null when it cannot be known.
    /// </summary>
    public (string Type, string Identity)? Authentication(JsonElement? authentication)
    {
        if (!(authentication is JsonElement value))
        {
            return ("", "");
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var match = WholeParameter.Match(value.GetString() ?? "");
            if (!match.Success || !(_parameters is JsonElement file) || !(Json.Path(file, match.Groups["name"].Value, "value") is JsonElement parameter))
            {
                return null;
            }

            value = parameter;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = Resolve(Json.String(value, "type"));
        var identity = Resolve(Json.String(value, "identity"));
        return type == null || identity == null ? ((string, string)?)null : (type, identity);
    }

    /// <summary>The parameter an entry's authentication is taken from (<c>@parameters('NAME')</c>), or "".</summary>
    public static string ParameterOf(JsonElement? authentication) =>
        authentication is JsonElement value && value.ValueKind == JsonValueKind.String && WholeParameter.Match(value.GetString() ?? "") is Match match && match.Success
            ? match.Groups["name"].Value
            : "";
}
