using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SandboxOptions options;
        try
        {
            options = CommandLine.Parse(args);
        }
        catch (ArgumentException error)
        {
            await Console.Error.WriteLineAsync(error.Message);
            return 2;
        }

        await using var host = await SandboxHost.StartAsync(options);
        Console.WriteLine($"LogicAppAuth sandbox '{host.Scenario.Name}' listening on {host.Info.Endpoint}; ready-file {options.ReadyFile}");
        await host.WaitForShutdownAsync();
        return 0;
    }
}
