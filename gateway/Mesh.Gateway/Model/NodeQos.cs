using System.Collections.Generic;
using Mesh.Protocol.Qos;

namespace Mesh.Gateway.Model
{
    /// <summary>
    /// A node's quality-of-service report (heartbeat block 1, PROTOCOL.md "Traffic classes and quality
    /// of service"): how busy its channel is, how much of its duty-cycle budget it used, and what it
    /// refused to pass on since its previous heartbeat — the per-origin fair share it enforced and the
    /// frames its full transmit queue lost, by traffic class. What an operator needs to see which node
    /// misbehaves: a babbler shows up as the <see cref="MostThrottled"/> origin of its neighbours.
    /// </summary>
    public sealed record NodeQos(
        double ChannelUtilisation,
        double DutyCycleUsed,
        int ThrottledFrames,
        uint? MostThrottled,
        IReadOnlyDictionary<string, int> LostByClass)
    {
        /// <summary>Traffic class names as the API, MQTT and /metrics show them, indexed by class number.</summary>
        public static readonly string[] ClassNames = { "control", "readings", "status", "bulk" };

        public static NodeQos From(QosReport report)
        {
            var lost = new Dictionary<string, int>(TrafficClass.Count);
            for (int i = 0; i < TrafficClass.Count; i++)
            {
                lost[ClassNames[i]] = report.Lost[i];
            }

            return new NodeQos(
                report.Utilisation / 255.0,
                report.DutyUsed / 255.0,
                report.Throttled,
                report.MostThrottled == 0 ? null : report.MostThrottled,
                lost);
        }
    }

    /// <summary>
    /// A structured-routing node's place in the gradient (heartbeat block 2): its parent towards the
    /// nearest gateway, its cost there in expected transmissions, and its hop count. Null parent, cost
    /// and hops: it had no route when it sent the heartbeat.
    /// </summary>
    public sealed record NodeRoute(uint? Parent, double? Cost, int? Hops)
    {
        public static NodeRoute From(uint parent, int cost, int hops) =>
            new(parent == 0 ? null : parent, cost == 0xFFFF ? null : cost / 16.0, hops == 0xFF ? null : hops);
    }
}
