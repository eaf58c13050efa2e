using System.Globalization;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>Parses <c>--scenario contoso|path --ready-file path [--now time] [--latency-ms N] [--page-size N] [--token-lifetime-seconds N]</c>.</summary>
public static class CommandLine
{
    public const string Usage =
        "usage: LogicAppAuth.Sandbox --scenario contoso|<path.json> --ready-file <path> [--now <ISO 8601>] [--latency-ms N] [--page-size N] [--token-lifetime-seconds N]" +
        " [--generate subscriptions=N,connections=N,workflows=N,standardApps=N[,users=N,applications=N,servicePrincipals=N]]" +
        " [--resource-graph-quota N] [--resource-graph-max-subscriptions N] [--resource-graph-tenant-subscription-limit N] [--resource-graph-disabled] [--graph-throttle-every N]" +
        " [--faults throttle,server-errors,resets,slow,short-tokens,arg-quota] [--fault-seed N] [--fault-slow-ms N]";

    public static SandboxOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SandboxOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.\n{Usage}");
            DateTimeOffset Moment() => DateTimeOffset.TryParse(Value(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
                ? t
                : throw new ArgumentException($"{name} needs an ISO 8601 date and time, e.g. 2026-12-04T09:00:00Z.\n{Usage}");
            int Number() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new ArgumentException($"{name} needs a whole number.\n{Usage}");

            switch (name.ToLowerInvariant())
            {
                case "--scenario": options.Scenario = Value(); break;
                case "--ready-file": options.ReadyFile = Path.GetFullPath(Value()); break;
                case "--now": options.Now = Moment(); break;
                case "--latency-ms": options.LatencyMs = Math.Max(0, Number()); break;
                case "--page-size": options.PageSize = Math.Max(1, Number()); break;
                case "--graph-throttle-every": options.GraphThrottleEvery = Math.Max(0, Number()); break;
                case "--token-lifetime-seconds": options.TokenLifetimeSeconds = Number(); break;
                case "--generate": options.Generate = Value(); break;
                case "--resource-graph-quota": options.ResourceGraphQuota = Math.Max(1, Number()); break;
                case "--resource-graph-max-subscriptions": options.ResourceGraphMaxSubscriptions = Math.Max(1, Number()); break;
                case "--resource-graph-tenant-subscription-limit": options.ResourceGraphTenantSubscriptionLimit = Math.Max(1, Number()); break;
                case "--resource-graph-disabled": options.ResourceGraphDisabled = true; break;
                case "--faults": options.Faults = Value(); Faults.FaultProfileNames.Parse(options.Faults); break;
                case "--fault-seed": options.FaultSeed = Number(); break;
                case "--fault-slow-ms": options.FaultSlowMs = Math.Max(0, Number()); break;
                default: throw new ArgumentException($"Unknown argument '{name}'.\n{Usage}");
            }
        }

        if (options.ReadyFile is null)
        {
            throw new ArgumentException($"--ready-file is required.\n{Usage}");
        }

        return options;
    }
}
