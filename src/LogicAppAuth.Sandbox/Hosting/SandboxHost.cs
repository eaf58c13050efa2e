using System.Net;
using System.Security.Cryptography.X509Certificates;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Graph;
using LogicAppAuth.Sandbox.ResourceGraph;
using LogicAppAuth.Sandbox.Scenarios;
using LogicAppAuth.Sandbox.Scenarios.Generator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting.Internal;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>
/// A running sandbox: HTTPS on 127.0.0.1 for ARM, Graph and the token endpoint, plain HTTP on another
/// port for the managed-identity endpoint. Used by Program and, in-process, by tests and benchmarks.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    public const string CertificateFileName = "sandbox-cert.pem";

    private readonly WebApplication _app;
    private bool _stopped;

    private SandboxHost(WebApplication app, SandboxState state, X509Certificate2 certificate, ReadyInfo info)
    {
        _app = app;
        State = state;
        Certificate = certificate;
        Info = info;
    }

    public SandboxState State { get; }

    public Scenario Scenario => State.Scenario;

    public X509Certificate2 Certificate { get; }

    /// <summary>Everything the ready-file holds (whether or not one was written).</summary>
    public ReadyInfo Info { get; }

    public Uri Endpoint => new(Info.Endpoint);

    public Uri IdentityEndpoint => new(Info.IdentityEndpoint);

    public static async Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        var clock = new SandboxClock(options.Now);
        var scenario = options.Generate is { } generate
            ? ScenarioGenerator.Generate(GeneratorOptions.Parse(generate, clock.Anchor))
            : Scenario.Load(options.Scenario, clock.Anchor);
        var state = new SandboxState(options, scenario, clock);
        var certificate = CertificateFactory.CreateSelfSigned();
        var certificateDirectory = options.CertificateDirectory
            ?? (options.ReadyFile is null ? Directory.CreateTempSubdirectory("logicappauth-sandbox-").FullName : Path.GetDirectoryName(Path.GetFullPath(options.ReadyFile))!);
        Directory.CreateDirectory(certificateDirectory);
        var certificatePath = Path.Combine(certificateDirectory, CertificateFileName);
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem(), cancellationToken);

        var app = Build(state, certificate);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var https = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)));
        var http = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)));
        state.IdentityPort = http.Port;

        var info = CreateInfo(state, $"https://127.0.0.1:{https.Port}", $"http://127.0.0.1:{http.Port}{TokenEndpoints.IdentityPath}", certificatePath);
        if (options.ReadyFile is not null)
        {
            info.WriteAtomically(options.ReadyFile);
        }

        return new SandboxHost(app, state, certificate, info);
    }

    /// <summary>An HttpClient for the HTTPS endpoint that trusts the sandbox certificate.</summary>
    public HttpClient CreateClient() => new(CertificateFactory.CreateTrustingHandler(Certificate)) { BaseAddress = Endpoint };

    /// <summary>Mints a token like the token endpoint does; a negative lifetime gives an expired one.</summary>
    public string IssueToken(string principalName, string audience = TokenIssuer.ArmAudience, TimeSpan? lifetime = null, string? tenantId = null)
    {
        var principal = Scenario.FindPrincipalByName(principalName) ?? throw new ArgumentException($"No principal '{principalName}'.", nameof(principalName));
        return State.Tokens.Issue(principal, audience, lifetime ?? State.TokenLifetime, tenantId);
    }

    /// <summary>Completes when SIGINT/SIGTERM or POST /_sandbox/shutdown asked the sandbox to stop.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
        if (State.Options.ReadyFile is { } readyFile && File.Exists(readyFile))
        {
            File.Delete(readyFile);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        State.Dispose();
        Certificate.Dispose();
    }

    private static WebApplication Build(SandboxState state, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<AccessCheck>();
        builder.Services.AddSingleton<ArmApi>();
        builder.Services.AddSingleton<GraphApi>();
        builder.Services.AddSingleton<ResourceGraphApi>();

        var app = builder.Build();
        SandboxMiddleware.Use(app, state);
        GraphThrottle.Use(app, state);
        SandboxRoutes.Map(app);
        TokenEndpoints.Map(app);
        CloudMetadataRoute.Map(app);
        ArmApi.Map(app);
        GraphApi.Map(app);
        ResourceGraphApi.Map(app);
        return app;
    }

    private static ReadyInfo CreateInfo(SandboxState state, string endpoint, string identityEndpoint, string certificatePath)
    {
        var scenario = state.Scenario;
        var principals = scenario.Principals
            .Where(p => p.Secret is not null)
            .ToDictionary(p => p.Name, p => new ReadyPrincipal(p.TenantId, p.AppId, p.Secret!, p.ObjectId));
        var admin = scenario.FindPrincipalByName("admin") ?? scenario.Principals.FirstOrDefault(p => p.Secret is not null);

        // The ready-made tokens must outlive the sandbox, whose certificate is valid for a day.
        var lifetime = TimeSpan.FromDays(1);
        return new ReadyInfo(
            Environment.ProcessId,
            endpoint,
            endpoint,
            endpoint,
            endpoint,
            certificatePath,
            scenario.HomeTenantId,
            scenario.Name,
            scenario.Subscriptions
                .Where(s => s.TenantId.Equals(scenario.HomeTenantId, StringComparison.OrdinalIgnoreCase))
                .Select(s => new ReadySubscription(s.SubscriptionId, s.TenantId, s.DisplayName))
                .ToList(),
            identityEndpoint,
            state.IdentityHeader,
            admin is null ? null : principals.GetValueOrDefault(admin.Name),
            admin is null ? "" : state.Tokens.Issue(admin, TokenIssuer.ArmAudience, lifetime),
            admin is null ? "" : state.Tokens.Issue(admin, TokenIssuer.GraphAudience, lifetime),
            principals,
            state.Clock.Anchor,
            scenario.TimesAsOf);
    }
}
