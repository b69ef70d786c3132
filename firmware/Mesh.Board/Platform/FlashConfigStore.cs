using System.IO;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// Settings in the ESP32's internal flash file system (drive I:). Written to a temporary file first and
    /// then moved over the old one, so a reset at any point leaves either the previous settings or the new ones.
    /// </summary>
    internal sealed class FlashConfigStore : IConfigStore
    {
        public const string DefaultPath = "I:\\mesh.conf";

        /// <summary>A settings update (any subset of lines) that the board merges into mesh.conf at boot, then deletes.</summary>
        public const string UpdatePath = "I:\\mesh.update";

        private const string TempSuffix = ".new";

        private readonly string _path;

        public FlashConfigStore(string path)
        {
            _path = path;
        }

        public byte[] Load()
        {
            if (File.Exists(_path))
            {
                return File.ReadAllBytes(_path);
            }

            // A reset between deleting the old file and moving the new one in leaves only the new one, and
            // it is complete (it is moved only after it was written): without this the key would be lost.
            string temp = _path + TempSuffix;
            return File.Exists(temp) ? File.ReadAllBytes(temp) : null;
        }

        public string FilePath
        {
            get { return _path; }
        }

        public void Delete()
        {
            if (File.Exists(_path))
            {
                File.Delete(_path);
            }
        }

        public bool Save(byte[] data, int length)
        {
            byte[] exact = data;
            if (length != data.Length)
            {
                exact = new byte[length];
                System.Array.Copy(data, exact, length);
            }

            string temp = _path + TempSuffix;
            File.WriteAllBytes(temp, exact);
            if (File.Exists(_path))
            {
                File.Delete(_path);
            }

            File.Move(temp, _path); // an IOException (full or failing flash) is logged with its reason by SettingsStore
            return true;
        }
    }
}
