using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// Files only their owner can read: backups hold whole workflow documents and connections.json texts, which may
/// carry secrets. On Unix folders are created 0700 and files 0600; on Windows they stay inside the user's own
/// profile folder (see <see cref="DefaultBackupRoot"/>) unless the caller names another place.
/// </summary>
internal static class PrivateStorage
{
    private const int OwnerOnlyFolder = 0x1C0; // 0700
    private const int OwnerOnlyFile = 0x180;   // 0600

    private static readonly bool IsUnix = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>Where backups go when no -BackupPath is given: the user's data folder, never the current directory.</summary>
    public static string DefaultBackupRoot()
    {
        if (!IsUnix)
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "LogicAppAuth", "backups");
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(dataHome) ? Path.Combine(home, ".local", "share") : dataHome!, "LogicAppAuth", "backups");
    }

    /// <summary>Creates <paramref name="folder"/> (and missing parents) readable by its owner only; an existing folder is made owner-only too.</summary>
    public static void CreateFolder(string folder)
    {
        var parent = Path.GetDirectoryName(folder);
        if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent);
        }

        Directory.CreateDirectory(folder);
        SetMode(folder, OwnerOnlyFolder);
    }

    /// <summary>Writes a new file (it must not exist yet), owner-only, flushed to disk.</summary>
    public static void WriteNew(string path, byte[] bytes) => AtomicFile.WriteNew(path, bytes, OwnerOnly);

    /// <summary>Replaces <paramref name="path"/> so that a reader sees the old text or the new one, never a part; the new file is owner-only.</summary>
    public static void WriteAtomically(string path, string text) => AtomicFile.Replace(path, new UTF8Encoding(false).GetBytes(text), OwnerOnly);

    private static void OwnerOnly(string path) => SetMode(path, OwnerOnlyFile);

    /// <summary>
    /// True when users other than the owner may write to <paramref name="path"/> (group or other write bit), so they
    /// could have replaced what it holds. Unknown (Windows, or a runtime without File.GetUnixFileMode) counts as false.
    /// </summary>
    public static bool WritableByOthers(string path)
    {
        const int GroupOrOtherWrite = 0x12; // 0022
        var getter = IsUnix ? typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) }) : null;
        return getter != null && (Convert.ToInt32(getter.Invoke(null, new object[] { path })) & GroupOrOtherWrite) != 0;
    }

    private static void SetMode(string path, int mode)
    {
        if (!IsUnix)
        {
            return;
        }

        // File.SetUnixFileMode exists from .NET 7 (PowerShell 7.3+); the module is built for netstandard2.0, so it is found at run time.
        var modeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode");
        var setter = modeType == null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), modeType });
        if (setter != null)
        {
            setter.Invoke(null, new[] { path, Enum.ToObject(modeType!, mode) });
            return;
        }

        if (chmod(path, mode) != 0)
        {
            throw new IOException($"could not make '{path}' private to its owner (chmod failed with error {Marshal.GetLastWin32Error()})");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chmod(string path, int mode);
}
