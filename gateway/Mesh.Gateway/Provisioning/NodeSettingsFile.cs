using System;
using System.Globalization;
using System.IO;
using System.Text;
using Mesh.Protocol.Security;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// Writes the settings file a provisioned node starts from, in the node application's own format
    /// (firmware/Mesh.NodeApp/Settings/NodeSettingsText.cs): on a board it is written to I:\mesh.conf with
    /// `nanoff --filedeployment`, for mesh-node it is its --config file. It holds the node's secrets, so it
    /// is created private (0600).
    /// </summary>
    public static class NodeSettingsFile
    {
        public static string Format(uint nodeId, ushort networkId, byte[] networkKey, int networkKeyIndex, byte[] deviceKey, int deviceKeyIndex, DateTimeOffset now)
        {
            var t = new StringBuilder();
            t.Append("# Mesh node settings written by mesh-gateway provision on ").Append(now.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)).Append('\n');
            t.Append("# Holds this node's secret keys: copy it onto the node, then delete this copy.\n");
            t.Append("node_id = ").Append(nodeId.ToString(CultureInfo.InvariantCulture)).Append('\n');
            t.Append("network_id = ").Append(networkId.ToString(CultureInfo.InvariantCulture)).Append('\n');
            t.Append("key = ").Append(KeyHex.Format(networkKey)).Append('\n');
            t.Append("key_index = ").Append(networkKeyIndex.ToString(CultureInfo.InvariantCulture)).Append('\n');
            t.Append("device_key = ").Append(KeyHex.Format(deviceKey)).Append('\n');
            t.Append("device_key_index = ").Append(deviceKeyIndex.ToString(CultureInfo.InvariantCulture)).Append('\n');
            t.Append("require_encryption = true\n");
            // A board has no clock: it starts from this network time and moves forward with what it hears.
            t.Append("network_time = ").Append(now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
            // Only a node provisioned for the first time has never sent: it starts at 1. A re-provisioned
            // one gets no sequence_start, so it jumps forward (neighbours remember its old numbers).
            if (deviceKeyIndex == 0)
            {
                t.Append("sequence_start = 1\n");
            }

            return t.ToString();
        }

        public static void Write(string path, string text)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir != null)
            {
                Directory.CreateDirectory(dir);
            }

            using (var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                byte[] bytes = Encoding.UTF8.GetBytes(text);
                f.Write(bytes, 0, bytes.Length);
            }
        }
    }
}
