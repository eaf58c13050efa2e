using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.InteropServices;
using LogicAppAuth.Commands.Infrastructure;

namespace LogicAppAuth.Commands.Loading;

/// <summary>
/// Keeps the module's Azure SDK and Graph assemblies away from the ones other modules (Az.Accounts,
/// Microsoft.Graph) load into the session. The engine and every third-party assembly live in <c>deps/</c>,
/// out of reach of default probing. On PowerShell 7 the engine is loaded into a private
/// AssemblyLoadContext that serves <c>deps/</c> first; on Windows PowerShell 5.1 an AssemblyResolve
/// handler serves only files from <c>deps/</c>. The output types (LogicAppAuth.Models) load into the default
/// context from the module folder, so that PowerShell can name them and apply format views.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    internal const string EngineAssemblyName = "LogicAppAuth.Engine";
    internal const string ModelsAssemblyName = "LogicAppAuth.Models";
    private static readonly object Gate = new object();
    private static bool _registered;

    internal static string ModuleFolder { get; } = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".";

    internal static string DependencyFolder { get; } = Path.Combine(ModuleFolder, "deps");

    public void OnImport()
    {
        // The first importing runspace's sign-in is the process default (see RunspaceSessions).
        PrimaryRunspace.NoteImport(Runspace.DefaultRunspace);
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencyFolder;
            }
            else
            {
                DependencyLoadContextHook.Register(ModuleFolder, DependencyFolder);
            }

            _registered = true;
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // The handlers stay: the engine, once loaded, cannot be unloaded, and a later import must find it again.
    }

    private static bool IsNetFramework =>
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    private static Assembly? ResolveFromDependencyFolder(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name).Name;
        var folder = name == ModelsAssemblyName ? ModuleFolder : DependencyFolder;
        var path = Path.Combine(folder, name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
