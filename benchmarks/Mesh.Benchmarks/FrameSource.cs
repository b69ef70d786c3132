using System;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Benchmarks
{
    /// <summary>Keys, settings and pre-generated frames shared by the benchmarks (built in setup, never measured).</summary>
    internal static class FrameSource
    {
        public const ushort Network = 1;
        public const uint FirstOriginId = 0x1000;
        public const uint FirstHopRelayId = 0x2000;
        public const uint ReceiverId = 0x42;

        public static NetworkKey CreateKey()
        {
            byte[] secret = new byte[32];
            for (int i = 0; i < secret.Length; i++)
            {
                secret[i] = (byte)(0x5A ^ i);
            }

            return new NetworkKey(secret, DesktopCrypto.Instance);
        }

        public static PolicySettings Settings(PolicyKind kind)
        {
            return kind switch
            {
                PolicyKind.Gossip => PolicySettings.Gossip(0.65, 1),
                PolicyKind.ManagedFlooding => PolicySettings.Managed(2),
                _ => PolicySettings.Flooding(),
            };
        }

        /// <summary>A typical sensor report: temperature, humidity, pressure, battery voltage.</summary>
        public static void FillReadings(ReadingSet set, int i)
        {
            set.Clear();
            set.AddRaw(Quantity.Temperature, 2150 + i % 300);
            set.AddRaw(Quantity.Humidity, 4500 + i % 1000);
            set.AddRaw(Quantity.Pressure, 101_325 - i % 2000);
            set.AddRaw(Quantity.BatteryVoltage, 3700 - i % 400);
        }

        /// <summary>
        /// <paramref name="count"/> distinct, valid, encrypted readings frames from
        /// <paramref name="origins"/> sensors, in per-origin sequence order. Every other frame is the
        /// copy a first-hop relay rebroadcast (hops taken 1), so gossip also flips its coin.
        /// </summary>
        public static byte[][] DistinctFrames(NetworkKey key, int count, int origins)
        {
            var senders = new MeshNode[origins];
            for (int o = 0; o < origins; o++)
            {
                senders[o] = new MeshNode(
                    new NodeConfig { NodeId = FirstOriginId + (uint)o, ReportIntervalMs = 0, TransmitQueueSize = 1 },
                    key,
                    new XorShiftRandom((ulong)o + 1),
                    0);
            }

            var firstHop = new MeshNode(
                new NodeConfig { NodeId = FirstHopRelayId, Role = NodeRole.Relay, ReportIntervalMs = 0 },
                key,
                new XorShiftRandom(12345),
                0);

            var set = new ReadingSet();
            byte[] buffer = new byte[FrameLayout.MaxFrameSize];
            var frames = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                MeshNode origin = senders[i % origins];
                FillReadings(set, i);
                Expect(origin.SendReadings(set, 0) == SendResult.Queued, "origin did not queue its report");
                Expect(origin.TryTakeTransmit(0, buffer, 0, out int length), "origin sent nothing");
                if (i % 2 == 1)
                {
                    Expect(firstHop.Receive(buffer, 0, length, -70, i) == RejectReason.None, "first hop rejected a frame");
                    Expect(firstHop.TryTakeTransmit(i + 1000, buffer, 0, out length), "first hop did not relay");
                }

                frames[i] = buffer.AsSpan(0, length).ToArray();
            }

            return frames;
        }

        /// <summary>Signal strengths spread over the managed-flooding contention window (-40 .. -99 dBm).</summary>
        public static int[] Rssi(int count)
        {
            var rssi = new int[count];
            for (int i = 0; i < count; i++)
            {
                rssi[i] = -40 - (int)((uint)(i * 37) % 60);
            }

            return rssi;
        }

        public static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException("benchmark setup: " + what);
            }
        }
    }
}
