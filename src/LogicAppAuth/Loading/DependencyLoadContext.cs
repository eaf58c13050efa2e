using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace LogicAppAuth.Commands.Loading;

/// <summary>
/// The private load context of the engine and its dependencies. It answers from <c>deps/</c>, except for
/// assemblies the runtime itself ships at the requested version or later (loading a second copy of
/// those breaks type identity with PowerShell).
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _folder;
    private readonly Dictionary<string, string> _platformAssemblies;

    public DependencyLoadContext(string folder)
    {
        _folder = folder;
        _platformAssemblies = ReadPlatformAssemblies();
    }

    public override string ToString() => "LogicAppAuth dependency load context";

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_folder, assemblyName.Name + ".dll");
        if (!File.Exists(path) || RuntimeProvides(assemblyName.Name ?? "", path))
        {
            return null;
        }

        return LoadFromAssemblyPath(path);
    }

    private bool RuntimeProvides(string name, string shippedPath) =>
        _platformAssemblies.TryGetValue(name, out var platformPath)
        && AssemblyName.GetAssemblyName(platformPath).Version >= AssemblyName.GetAssemblyName(shippedPath).Version;

    /// <summary>The runtime's own assemblies (name to path), from the host's trusted platform assembly list.</summary>
    private static Dictionary<string, string> ReadPlatformAssemblies()
    {
        var assemblies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var list = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "";
        foreach (var path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            assemblies[Path.GetFileNameWithoutExtension(path)] = path;
        }

        return assemblies;
    }
}

/// <summary>
/// Answers the Default context's requests for the module's own assemblies (PowerShell 7 only): the engine
/// goes to the private context, the output types to the Default context from the module folder.
/// </summary>
internal static class DependencyLoadContextHook
{
    public static void Register(string moduleFolder, string dependencyFolder)
    {
        var context = new DependencyLoadContext(dependencyFolder);
        AssemblyLoadContext.Default.Resolving += (defaultContext, name) =>
        {
            switch (name.Name)
            {
                case ModuleInitializer.EngineAssemblyName:
                    return context.LoadFromAssemblyName(name);
                case ModuleInitializer.ModelsAssemblyName:
                    return defaultContext.LoadFromAssemblyPath(Path.Combine(moduleFolder, name.Name + ".dll"));
                default:
                    return null;
            }
        };
    }
}
