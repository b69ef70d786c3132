using System.Linq;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>Builds structured-routing meshes on the in-memory harness and reads what happened on air.</summary>
    internal static class StructuredMesh
    {
        /// <summary>
        /// A gradient table for node 100 with eight neighbours and the timings StructuredRouting gives it from the core's
        /// default config (route loss, hold-down, failed-parent silence), for unit tests of GradientTable alone.
        /// </summary>
        public static global::Mesh.Protocol.Routing.GradientTable Gradient()
        {
            var r = new global::Mesh.Protocol.Routing.StructuredRouting(new NodeConfig { NodeId = 100, Policy = PolicySettings.Structured(2) }, 0, new XorShiftRandom(1));
            return new global::Mesh.Protocol.Routing.GradientTable(8, 100, false, r.RouteLossMs, r.HoldDownMs, new NodeConfig().FailedParentSilenceMs);
        }

        public static NodeConfig Sensor(uint id, NodeRole role = NodeRole.Sensor)
        {
            NodeConfig c = InMemoryMesh.Config(id, role);
            c.Policy = PolicySettings.Structured(2);
            return c;
        }

        public static NodeConfig Gateway(uint id)
        {
            NodeConfig c = Sensor(id, NodeRole.Bridge);
            c.IsGateway = true;
            return c;
        }

        /// <summary>
        /// Gateway 1 and nodes 2 … n+1 (of <paramref name="role"/>) in a line: 1 - 2 - 3 - … - (n+1);
        /// <paramref name="configure"/>, when given, adjusts every node's config, the gateway's too, before it is added.
        /// </summary>
        public static InMemoryMesh LineWithGateway(int nodes, NodeRole role = NodeRole.Sensor, System.Action<NodeConfig>? configure = null)
        {
            var mesh = new InMemoryMesh();
            NodeConfig gateway = Gateway(1);
            configure?.Invoke(gateway);
            mesh.Add(gateway);
            for (uint i = 2; i <= nodes + 1; i++)
            {
                NodeConfig c = Sensor(i, role);
                configure?.Invoke(c);
                mesh.Add(c);
                mesh.Link(i - 1, i);
            }

            return mesh;
        }

        public static ReadingSet Reading(double celsius)
        {
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, celsius);
            return set;
        }

        /// <summary>Sends one reading from <paramref name="node"/> now; returns its sequence.</summary>
        public static uint SendReading(InMemoryMesh mesh, uint node, double celsius = 21.5)
        {
            uint seq = mesh[node].NextSequence;
            Assert.Equal(SendResult.Queued, mesh[node].SendReadings(Reading(celsius), mesh.Now));
            return seq;
        }

        public static bool Delivered(InMemoryMesh mesh, uint at, uint origin, uint sequence) =>
            mesh.Events[at].Any(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings && e.Origin == origin && e.Sequence == sequence);

        public static int DeliveredCount(InMemoryMesh mesh, uint at, uint origin, uint sequence) =>
            mesh.Events[at].Count(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings && e.Origin == origin && e.Sequence == sequence);

        /// <summary>
        /// The next frame <paramref name="node"/> would put on air, taken from its queue, readdressed as that node's own
        /// copy (hops taken 0) to <paramref name="nextHop"/>, with <paramref name="senderCost"/> when given, and resealed with
        /// <paramref name="network"/> (the mesh's key when null): what a node with a stale gradient, an insider or, with
        /// another key, an outsider can send.
        /// </summary>
        public static byte[] TakeReaddressed(InMemoryMesh mesh, uint node, uint nextHop, int? senderCost = null, NetworkKey? network = null)
        {
            byte[] buffer = new byte[FrameLayout.MaxFrameSize];
            Assert.True(mesh[node].TryTakeTransmit(mesh.Now + 100, buffer, 0, out int length));
            byte[] frame = buffer.Take(length).ToArray();
            FrameCodec.WriteHopFields(frame, 0, 0, node, nextHop);
            if (senderCost.HasValue)
            {
                FrameCodec.WriteSenderCost(frame, 0, senderCost.Value);
            }

            new NetworkSealer().Seal(network ?? mesh.Key, frame, 0, frame.Length);
            return frame;
        }

        /// <summary>A frame sealed with <paramref name="network"/> only (beacons, hop acks) — what an insider or, with another key, an outsider can make.</summary>
        public static byte[] Forge(MessageType type, uint origin, uint destination, uint sequence, uint time, byte[] payload, NetworkKey network)
        {
            var h = new FrameHeader
            {
                Flags = 0,
                Type = type,
                Network = 1,
                NetworkKeyIndex = network.Index,
                Origin = origin,
                Destination = destination,
                Sequence = sequence,
                Time = time,
                HopLimit = 0,
                HopsTaken = 0,
                PreviousHop = origin,
                NextHop = 0,
                PayloadLength = payload.Length,
            };
            byte[] frame = new byte[h.FrameLength];
            FrameCodec.WriteHeader(h, frame, 0);
            System.Array.Copy(payload, 0, frame, FrameLayout.HeaderSize, payload.Length);
            new NetworkSealer().Seal(network, frame, 0, frame.Length);
            return frame;
        }

        public static byte[] BeaconPayload(bool gateway, int cost, int hops, uint parent, uint gatewayId, params (uint Id, byte Quality)[] neighbours)
        {
            var b = new Beacon
            {
                Flags = gateway ? Beacon.FlagGateway : 0,
                Role = (int)NodeRole.Relay,
                Cost = cost,
                Hops = hops,
                Parent = parent,
                Gateway = gatewayId,
                NeighbourCount = neighbours.Length,
            };
            for (int i = 0; i < neighbours.Length; i++)
            {
                b.NeighbourIds[i] = neighbours[i].Id;
                b.NeighbourQuality[i] = neighbours[i].Quality;
            }

            byte[] buffer = new byte[Beacon.MaxSize];
            int n = b.Encode(buffer, 0);
            return buffer.Take(n).ToArray();
        }

        /// <summary>The header of a frame seen on air (it must decode).</summary>
        public static FrameHeader Header(byte[] frame)
        {
            var h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            return h;
        }

        /// <summary>The first readings frame with <paramref name="sequence"/> that <paramref name="node"/> put on air.</summary>
        public static byte[] ReadingSentBy(InMemoryMesh mesh, uint node, uint sequence) =>
            mesh.Air.First(a => a.Node == node && Header(a.Frame).Sequence == sequence && Header(a.Frame).Type == MessageType.Readings).Frame;

        /// <summary>
        /// A copy of <paramref name="sent"/> with the given hop fields and a fresh network MIC (the payload seal does not cover
        /// them), under the mesh's key or, for an outsider's forgery, <paramref name="network"/>.
        /// </summary>
        public static byte[] CopyWithHops(InMemoryMesh mesh, byte[] sent, int hopsTaken, uint previousHop, uint nextHop, NetworkKey? network = null)
        {
            FrameHeader h = Header(sent);
            h.HopsTaken = hopsTaken;
            h.PreviousHop = previousHop;
            h.NextHop = nextHop;
            byte[] copy = (byte[])sent.Clone();
            FrameCodec.WriteHeader(h, copy, 0);
            new NetworkSealer().Seal(network ?? mesh.Key, copy, 0, copy.Length);
            return copy;
        }

        public static NetworkKey OutsiderKey() =>
            new(new byte[] { 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, DesktopCrypto.Instance);
    }
}
