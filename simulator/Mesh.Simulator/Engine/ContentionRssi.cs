using System;
using Mesh.Protocol.Forwarding;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Managed flooding's contention window maps RSSI from a weak to a strong end onto the shortest to the
    /// longest delay. The core fixes those ends (<see cref="ManagedFloodingPolicy.WeakRssi"/>,
    /// <see cref="ManagedFloodingPolicy.StrongRssi"/>); a scenario may choose others, and the simulator then
    /// rescales the RSSI it hands the core linearly from the scenario's range onto the core's.
    /// </summary>
    public static class ContentionRssi
    {
        public static bool IsCoreRange(double weakDbm, double strongDbm) =>
            weakDbm == ManagedFloodingPolicy.WeakRssi && strongDbm == ManagedFloodingPolicy.StrongRssi;

        public static int Rescale(int rssi, double weakDbm, double strongDbm)
        {
            double scaled = ManagedFloodingPolicy.WeakRssi
                + (rssi - weakDbm) * (ManagedFloodingPolicy.StrongRssi - ManagedFloodingPolicy.WeakRssi) / (strongDbm - weakDbm);
            return (int)Math.Round(Math.Clamp(scaled, -128, 127));
        }
    }
}
