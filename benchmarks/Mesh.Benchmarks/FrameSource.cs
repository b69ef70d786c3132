using System;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
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

        /// <summary>Network time of the frames at benchmark time zero.</summary>
        public const uint Epoch = 1_800_000_000;

        public static byte[] Secret()
        {
            byte[] secret = new byte[32];
            for (int i = 0; i < secret.Length; i++)
            {
                secret[i] = (byte)(0x5A ^ i);
            }

            return secret;
        }

        public static NetworkKey CreateKey() => new NetworkKey(Secret(), DesktopCrypto.Instance);

        /// <summary>Every node's device key, derived as mesh-sim provisions its nodes; a bridge holds them all.</summary>
        public static readonly DerivedDeviceKeys DeviceKeys = new(Secret(), DesktopCrypto.Instance);

        /// <summary>A provisioned node with no storage to confirm checkpoints against (benchmarks measure per-frame work only).</summary>
        public static NodeConfig Config(uint id, NodeRole role)
        {
            return new NodeConfig
            {
                NodeId = id,
                Role = role,
                ReportIntervalMs = 0,
                DeviceKey = DeviceKeys.KeyOf(id),
                DeviceKeys = role == NodeRole.Bridge ? DeviceKeys : null,
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = Epoch,
                // 16 origins at thousands of frames a second each: the relay path is measured here, not
                // the fair share's refusal (CheckNode refuses a run in which anything was throttled).
                FairShareFramesPerMinute = 6000,
                FairShareBurst = 255,
            };
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
        /// <param name="stepMs">Time between frames: frame i is sent at i × stepMs, as the receiving benchmark will take it.</param>
        public static byte[][] DistinctFrames(NetworkKey key, int count, int origins, int stepMs = 0)
        {
            var senders = new MeshNode[origins];
            for (int o = 0; o < origins; o++)
            {
                NodeConfig config = Config(FirstOriginId + (uint)o, NodeRole.Sensor);
                config.TransmitQueueSize = 1;
                senders[o] = new MeshNode(config, key, new XorShiftRandom((ulong)o + 1), 0);
            }

            var firstHop = new MeshNode(Config(FirstHopRelayId, NodeRole.Relay), key, new XorShiftRandom(12345), 0);

            var set = new ReadingSet();
            byte[] buffer = new byte[FrameLayout.MaxFrameSize];
            var frames = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                MeshNode origin = senders[i % origins];
                FillReadings(set, i);
                long t = (long)i * stepMs;
                Expect(origin.SendReadings(set, t) == SendResult.Queued, "origin did not queue its report");
                Expect(origin.TryTakeTransmit(t, buffer, 0, out int length), "origin sent nothing");
                if (i % 2 == 1)
                {
                    Expect(firstHop.Receive(buffer, 0, length, -70, t) == RejectReason.None, "first hop rejected a frame");
                    Expect(firstHop.TryTakeTransmit(t + 1000, buffer, 0, out length), "first hop did not relay");
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
