using System;
using System.IO;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// State files hold the network's traffic history and the HTTP token: readable by this user only
    /// (0600 files in a 0700 folder). Files are created private, never created open and narrowed later,
    /// and existing ones from older versions are narrowed when opened.
    /// </summary>
    public static class PrivateFiles
    {
        private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        public static void CreateDirectory(string path)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }

            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, FolderMode);
            }
        }

        /// <summary>Creates the state folder private, or makes an existing one private (it holds nothing others should read).</summary>
        public static void CreatePrivateFolder(string path)
        {
            CreateDirectory(path);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~FolderMode) != 0)
            {
                File.SetUnixFileMode(path, FolderMode);
            }
        }

        /// <summary>
        /// Makes sure <paramref name="path"/> exists and is private before SQLite opens it (an empty file
        /// is an empty database; SQLite gives its -wal and -shm files the database file's permissions).
        /// </summary>
        public static void EnsureDatabase(string path)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder != null)
            {
                CreateDirectory(folder);
            }

            if (!File.Exists(path))
            {
                using FileStream created = Open(path, FileMode.CreateNew);
            }

            Narrow(path);
            Narrow(path + "-wal");
            Narrow(path + "-shm");
        }

        /// <summary>Writes <paramref name="text"/> to a new private file (replacing an earlier one).</summary>
        public static void WriteAllText(string path, string text)
        {
            using (FileStream s = Open(path, FileMode.Create))
            using (var w = new StreamWriter(s))
            {
                w.Write(text);
            }

            Narrow(path);
        }

        private static FileStream Open(string path, FileMode mode)
        {
            var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = PrivateMode;
            }

            return new FileStream(path, options);
        }

        private static void Narrow(string path)
        {
            if (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & ~PrivateMode) != 0)
            {
                File.SetUnixFileMode(path, PrivateMode);
            }
        }
    }
}
