using System.IO;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// Settings in the ESP32's internal flash file system (drive I:). Written to a temporary file first and
    /// then moved over the old one, so a reset during the write leaves the previous settings intact.
    /// </summary>
    internal sealed class FlashConfigStore : IConfigStore
    {
        public const string DefaultPath = "I:\\mesh.conf";

        private readonly string _path;

        public FlashConfigStore(string path)
        {
            _path = path;
        }

        public byte[] Load()
        {
            return File.Exists(_path) ? File.ReadAllBytes(_path) : null;
        }

        public bool Save(byte[] data, int length)
        {
            byte[] exact = data;
            if (length != data.Length)
            {
                exact = new byte[length];
                System.Array.Copy(data, exact, length);
            }

            string temp = _path + ".new";
            File.WriteAllBytes(temp, exact);
            if (File.Exists(_path))
            {
                File.Delete(_path);
            }

            File.Move(temp, _path);
            return true;
        }
    }
}
