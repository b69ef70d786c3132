using System.IO;
using Mesh.NodeApp.Hal;

namespace Mesh.Node.Desktop.Hardware
{
    /// <summary>Settings in a text file, replaced atomically (write a temporary file, then rename) so a crash never leaves half a file.</summary>
    internal sealed class FileConfigStore : IConfigStore
    {
        private readonly string? _path;

        /// <param name="path">Null: nothing is stored (settings from the command line only, lost on exit).</param>
        public FileConfigStore(string? path)
        {
            _path = path;
        }

        public byte[]? Load() => _path != null && File.Exists(_path) ? File.ReadAllBytes(_path) : null;

        public bool Save(byte[] data, int length)
        {
            if (_path == null)
            {
                return true;
            }

            string? dir = Path.GetDirectoryName(Path.GetFullPath(_path));
            if (dir != null)
            {
                Directory.CreateDirectory(dir);
            }

            string temp = _path + ".tmp";
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                f.Write(data, 0, length);
                f.Flush(true);
            }

            File.Move(temp, _path, overwrite: true);
            return true;
        }
    }
}
