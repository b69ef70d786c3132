using System.Collections.Generic;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Model
{
    /// <summary>
    /// What the mesh side hands to the rest of the gateway (MQTT, history, live dashboard, metrics).
    /// Called on the mesh loop's thread: implementations hand work off and return quickly.
    /// </summary>
    public interface IMeshListener
    {
        void OnReadings(IReadOnlyList<SensorReading> readings);

        void OnHeartbeat(NodeHeartbeat heartbeat);

        void OnCommandOutcome(CommandOutcome outcome);

        void OnText(ushort network, uint node, string text);

        void OnFrameRejected(string transport, RejectReason reason);
    }
}
