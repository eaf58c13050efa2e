using System;
using System.IO;

namespace LogicAppAuth.Engine.Operations
{
    /// <summary>File writes a reader never sees half done: new files flushed to disk, and replacements by rename.</summary>
    internal static class AtomicFile
    {
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
}
