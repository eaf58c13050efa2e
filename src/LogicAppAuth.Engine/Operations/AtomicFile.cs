using System;
using System.IO;
using System.Text;

namespace LogicAppAuth.Engine.Operations;

/// <summary>File writes a reader never sees half done: new files flushed to disk, and replacements by rename.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="content"/> (UTF-8) to <paramref name="path"/>, creating its folder, so that a reader sees the old
    /// file or the new one, never a part.
    /// </summary>
    public static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        Replace(path, new UTF8Encoding(false).GetBytes(content));
    }

    /// <summary>Writes a file that must not exist yet, flushed to disk; <paramref name="restrict"/> runs on it before any byte is written.</summary>
    public static void WriteNew(string path, byte[] bytes, Action<string>? restrict = null)
    {
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            restrict?.Invoke(path);
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(true);
        }
    }

    /// <summary>Replaces <paramref name="path"/> (or creates it) with a flushed temporary file in the same folder, renamed over it.</summary>
    public static void Replace(string path, byte[] bytes, Action<string>? restrict = null)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            WriteNew(temporary, bytes, restrict);
            if (File.Exists(full))
            {
                File.Replace(temporary, full, null);
            }
            else
            {
                File.Move(temporary, full);
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
