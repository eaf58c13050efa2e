using System.Globalization;

namespace LogicAppAuth.Sandbox.Scenarios.Generator;

/// <summary>
/// Parameters of a generated scenario, from <c>--generate subscriptions=10,connections=10000,workflows=3000,standardApps=200[,users=N,applications=N,servicePrincipals=N,seed=N]</c>.
/// </summary>
public sealed class GeneratorOptions
{
    public int Subscriptions { get; set; } = 10;
    public int Connections { get; set; } = 10_000;
    public int Workflows { get; set; } = 3_000;
    public int StandardApps { get; set; } = 200;

    /// <summary>Graph users; default connections / 10.</summary>
    public int? Users { get; set; }

    public int Applications { get; set; } = 200;

    /// <summary>Service principals of the generated applications; default one per application.</summary>
    public int? ServicePrincipals { get; set; }

    /// <summary>Seed of the pseudo-random choices; the same seed gives the same scenario.</summary>
    public int Seed { get; set; } = 20_261_129;

    /// <summary>The sandbox's anchor: credential expiries and other times are relative to its day
    /// (expired / expiring within 30 days); now when null.</summary>
    public DateTimeOffset? Now { get; set; }

    public int UserCount => Users ?? Math.Max(1, Connections / 10);

    public int ServicePrincipalCount => Math.Min(ServicePrincipals ?? Applications, Applications);

    public static GeneratorOptions Parse(string spec, DateTimeOffset? now = null)
    {
        var options = new GeneratorOptions { Now = now };
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                throw new ArgumentException($"--generate: '{part}' is not name=number.");
            }

            switch (pair[0].ToLowerInvariant())
            {
                case "subscriptions": options.Subscriptions = Math.Max(1, value); break;
                case "connections": options.Connections = value; break;
                case "workflows": options.Workflows = value; break;
                case "standardapps": options.StandardApps = value; break;
                case "users": options.Users = value; break;
                case "applications": options.Applications = value; break;
                case "serviceprincipals": options.ServicePrincipals = value; break;
                case "seed": options.Seed = value; break;
                default: throw new ArgumentException($"--generate: unknown parameter '{pair[0]}'.");
            }
        }

        return options;
    }
}
