using System;
using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Security.Attacks
{
    /// <summary>What the attack tests share: a gateway (1), a relay (2), a sensor (3) in a line, and an attacker's radio.</summary>
    internal static class AttackKit
    {
        public const uint Gateway = 1;
        public const uint Relay = 2;
        public const uint Sensor = 3;
        public const uint Attacker = 99;

        /// <summary>1 (bridge) — 2 (relay) — 3 (sensor); the attacker's radio hears and reaches every node.</summary>
        public static InMemoryMesh Line()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(InMemoryMesh.Config(Gateway, NodeRole.Bridge));
            mesh.Add(InMemoryMesh.Config(Relay, NodeRole.Relay));
            mesh.Add(InMemoryMesh.Config(Sensor, NodeRole.Sensor));
            mesh.Link(Gateway, Relay);
            mesh.Link(Relay, Sensor);
            mesh.AddRadio(Attacker);
            foreach (uint n in new[] { Gateway, Relay, Sensor })
            {
                mesh.Link(Attacker, n);
            }

            return mesh;
        }

        public static ReadingSet Readings(double celsius)
        {
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, celsius);
            return set;
        }

        /// <summary>The first frame of <paramref name="type"/> that <paramref name="transmitter"/> put on the air.</summary>
        public static byte[] Captured(InMemoryMesh mesh, uint transmitter, MessageType type, bool last = false)
        {
            var frames = mesh.Air.Where(a => a.Node == transmitter && a.Frame[FrameLayout.OffsetType] == (byte)type);
            return (byte[])(last ? frames.Last() : frames.First()).Frame.Clone();
        }

        public static int CommandsDelivered(InMemoryMesh mesh, uint node) =>
            mesh.Events[node].Count(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Command);

        public static int ReadingsDelivered(InMemoryMesh mesh, uint node) =>
            mesh.Events[node].Count(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings);

        /// <summary>The persisted command counters a node's application would store from its SettingsChanged events.</summary>
        public static uint[] PersistedCounters(InMemoryMesh mesh, uint node)
        {
            MeshEvent last = mesh.Events[node].Last(e => e.Kind == MeshEventKind.SettingsChanged && e.Payload[0] == (byte)SettingsChange.CommandCounter);
            return new[] { LittleEndian.ReadUInt32(last.Payload, 1), LittleEndian.ReadUInt32(last.Payload, 5) };
        }

        /// <summary>Builds and seals a frame as an insider would: any header, payload sealed with the given key, network MIC.</summary>
        public static byte[] Forge(FrameHeader header, byte[] payload, SealingKey? payloadKey, NetworkKey network)
        {
            header.PayloadLength = payload.Length;
            byte[] frame = new byte[header.FrameLength];
            FrameCodec.WriteHeader(header, frame, 0);
            Array.Copy(payload, 0, frame, FrameLayout.HeaderSize, payload.Length);
            if (payloadKey != null)
            {
                new PayloadSealer().Seal(payloadKey, header, frame, 0);
            }

            new NetworkSealer().Seal(network, frame, 0, frame.Length);
            return frame;
        }

        public static RejectReason LastResult(InMemoryMesh mesh, uint node) => mesh.Results[node][^1];
    }
}
