namespace Mesh.NodeApp.Hal
{
    /// <summary>
    /// A way onto the air: ESP-NOW broadcast, UDP multicast over WiFi, or a serial bridge. Received frames
    /// go the other way, into <see cref="Runtime.NodeRunner.OnFrameReceived"/>, from whatever thread the
    /// driver receives on.
    /// </summary>
    public interface IRadio
    {
        /// <summary>For logs: "espnow", "udp", ...</summary>
        string Name { get; }

        /// <summary>Sends one frame as a broadcast. False when the radio refused it (not joined, busy, failed).</summary>
        bool Transmit(byte[] frame, int offset, int length);
    }
}
