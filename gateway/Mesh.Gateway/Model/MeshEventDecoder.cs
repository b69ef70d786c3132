using System;
using System.Collections.Generic;
using System.Text;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;

namespace Mesh.Gateway.Model
{
    /// <summary>Turns the protocol core's delivered messages into the gateway's records.</summary>
    public sealed class MeshEventDecoder
    {
        private readonly ReadingSet _set = new();
        private readonly Heartbeat _heartbeat = new();

        /// <summary>Readings remembered per node for deduplication on (measured-at, items) (PROTOCOL.md, "Measured at").</summary>
        public const int RememberedPerNode = 32;

        // Per (network, node): the last RememberedPerNode (measured-at, items) keys published, oldest first.
        private readonly Dictionary<(ushort, uint), Queue<(uint Time, ulong Items)>> _published = new();

        /// <summary>
        /// The readings of a Readings message. Values carrying a measured-at item (stored readings forwarded
        /// after a partition) are stamped with that time (network time = Unix seconds) instead of
        /// <paramref name="at"/>, and a (node, measured-at, items) triple already published is not published
        /// again (the last <see cref="RememberedPerNode"/> per node are remembered).
        /// </summary>
        public IReadOnlyList<SensorReading> Readings(ushort network, MeshEvent e, DateTimeOffset at)
        {
            if (!_set.TryDecode(e.Payload, 0, e.PayloadLength))
            {
                return Array.Empty<SensorReading>();
            }

            if (_set.HasMeasuredAt)
            {
                if (!FirstTime(network, e.Origin, _set.MeasuredAt, ItemsHash(e.Payload, 1 + ReadingSet.MeasuredAtItemSize, e.PayloadLength)))
                {
                    return Array.Empty<SensorReading>();
                }

                at = DateTimeOffset.FromUnixTimeSeconds(_set.MeasuredAt);
            }
            else if (e.FrameTime != 0)
            {
                // A live reading is always published, and remembered under its frame's time: when its origin
                // heard a relay's fallback flood of it (which still got here) and forwards it again as a stored
                // copy stamped with that time, the copy is the duplicate.
                Remember(network, e.Origin, e.FrameTime, ItemsHash(e.Payload, 1, e.PayloadLength));
            }

            var list = new List<SensorReading>(_set.Count);
            for (int i = 0; i < _set.Count; i++)
            {
                Quantity q = _set.QuantityAt(i);
                string name = q == Quantity.Generic ? "generic_" + _set.GenericIdAt(i) : Quantities.Name(q);
                int exponent = _set.ExponentAt(i);
                // Values travel as integers × 10^exponent; round so 20.92 is not shown as 20.919999999999998.
                double value = exponent < 0 ? Math.Round(_set.ValueAt(i), -exponent) : _set.ValueAt(i);
                list.Add(new SensorReading(network, e.Origin, name, value, Quantities.Unit(q), at, e.Sequence, e.HopsTaken + 1, e.Rssi));
            }

            return list;
        }

        private bool FirstTime(ushort network, uint origin, uint time, ulong items)
        {
            if (_published.TryGetValue((network, origin), out var seen) && seen.Contains((time, items)))
            {
                return false;
            }

            Remember(network, origin, time, items);
            return true;
        }

        private void Remember(ushort network, uint origin, uint time, ulong items)
        {
            if (!_published.TryGetValue((network, origin), out var seen))
            {
                seen = new Queue<(uint, ulong)>(RememberedPerNode);
                _published[(network, origin)] = seen;
            }

            if (seen.Count == RememberedPerNode)
            {
                seen.Dequeue();
            }

            seen.Enqueue((time, items));
        }

        // FNV-1a over the item bytes (after the count byte and any measured-at item).
        private static ulong ItemsHash(byte[] payload, int from, int to)
        {
            ulong h = 14695981039346656037UL;
            for (int i = from; i < to; i++)
            {
                h = (h ^ payload[i]) * 1099511628211UL;
            }

            return h;
        }

        public NodeHeartbeat? Heartbeat(ushort network, MeshEvent e, DateTimeOffset at)
        {
            if (!_heartbeat.TryDecode(e.Payload, 0, e.PayloadLength))
            {
                return null;
            }

            var links = new NeighbourLink[_heartbeat.NeighbourCount];
            for (int i = 0; i < links.Length; i++)
            {
                links[i] = new NeighbourLink(_heartbeat.NeighbourIds[i], _heartbeat.NeighbourRssi[i], _heartbeat.NeighbourQuality[i]);
            }

            return new NodeHeartbeat(network, e.Origin, NodeRoles.Name(_heartbeat.Role), PolicyName(_heartbeat.Policy),
                _heartbeat.UptimeSeconds, links, at, e.HopsTaken + 1, e.Rssi, _heartbeat.HasQos ? NodeQos.From(_heartbeat.Qos) : null,
                _heartbeat.HasRoute ? NodeRoute.From(_heartbeat.RouteParent, _heartbeat.RouteCost, _heartbeat.RouteHops) : null,
                _heartbeat.HasNeighboursKnown ? _heartbeat.NeighboursKnown : null);
        }

        public static string Text(MeshEvent e) => Encoding.UTF8.GetString(e.Payload, 0, e.PayloadLength);

        public static string PolicyName(PolicyKind kind) => kind switch
        {
            PolicyKind.Flooding => "flooding",
            PolicyKind.Gossip => "gossip",
            PolicyKind.ManagedFlooding => "managed",
            PolicyKind.Structured => "structured",
            _ => "unknown",
        };

        public static string CommandName(CommandKind kind) => kind switch
        {
            CommandKind.SetReportInterval => "set_report_interval",
            CommandKind.Identify => "identify",
            CommandKind.Reboot => "reboot",
            CommandKind.SetForwardingPolicy => "set_forwarding_policy",
            CommandKind.Ping => "ping",
            CommandKind.SetNetworkKey => "set_network_key",
            CommandKind.KeyRefreshPhase => "key_refresh_phase",
            CommandKind.SetDeviceKey => "set_device_key",
            _ => "custom_" + (int)kind,
        };

        public static string StatusName(CommandStatus status) => status switch
        {
            CommandStatus.Ok => "ok",
            CommandStatus.Unsupported => "unsupported",
            CommandStatus.InvalidArgument => "invalid_argument",
            CommandStatus.Failed => "failed",
            CommandStatus.AlreadyExecuted => "already_executed",
            _ => "unknown",
        };
    }
}
