namespace Mesh.NodeApp.Settings
{
    /// <summary>How a node reaches the air.</summary>
    public enum RadioMode
    {
        /// <summary>ESP-NOW broadcast: device to device, no access point. Needs a nanoCLR build with ESP-NOW.</summary>
        EspNow = 0,

        /// <summary>UDP multicast over WiFi: the LAN mesh the gateway, the simulator and mesh-node speak.</summary>
        Udp = 1,
    }
}
