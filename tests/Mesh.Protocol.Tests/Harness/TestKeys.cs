using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Tests.Harness
{
    /// <summary>
    /// Keys for tests: a fixed network secret, device keys derived from it as mesh-sim provisions its
    /// nodes, and configs of provisioned nodes. Key objects hold cipher and MAC state and test classes
    /// run in parallel, so every call makes new ones.
    /// </summary>
    public static class TestKeys
    {
        /// <summary>Network time at test time zero.</summary>
        public const uint Epoch = 1_800_000_000;

        public static byte[] NetworkSecret => new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

        public static NetworkKey Network() => new(NetworkSecret, DesktopCrypto.Instance);

        public static DerivedDeviceKeys Devices() => new(NetworkSecret, DesktopCrypto.Instance);

        /// <summary>A provisioned node: its own device key (a bridge or edge also every other's), no storage to confirm checkpoints.</summary>
        public static NodeConfig Provisioned(NodeConfig config, DerivedDeviceKeys devices)
        {
            config.DeviceKey ??= devices.KeyOf(config.NodeId);
            if (config.DeviceKeys == null && (config.Role == NodeRole.Bridge || config.Role == NodeRole.Edge))
            {
                config.DeviceKeys = devices;
            }

            config.RequireCheckpointConfirmation = false;
            if (config.InitialNetworkTime == 0)
            {
                config.InitialNetworkTime = Epoch;
            }

            return config;
        }
    }
}
