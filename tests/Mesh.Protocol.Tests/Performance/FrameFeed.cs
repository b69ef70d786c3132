using System;
using System.Collections.Generic;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Tests.Performance
{
    /// <summary>
    /// A pre-generated stream of valid frames for allocation tests, built before anything is measured.
    /// Several origin nodes (sharing the network key) report readings, send heartbeats and broadcast
    /// text; every message is a <em>group</em> of up to three copies of one (origin, sequence): the
    /// origin's own transmission (hops 0) and the rebroadcasts of two relays A and B (hops 1). The
    /// order of the copies rotates, and some groups carry only one or two copies, so a receiver runs
    /// the new-frame path once per group and the duplicate path (with managed flooding: cancellation,
    /// or not) for the rest.
    /// </summary>
    internal sealed class FrameFeed
    {
        public const uint FirstOriginId = 0x100;
        public const uint RelayAId = 0x200;
        public const uint RelayBId = 0x201;

        private FrameFeed(byte[][] frames, int[] rssi, int[] groupEnd)
        {
            Frames = frames;
            Rssi = rssi;
            GroupEnd = groupEnd;
        }

        /// <summary>Every copy, group after group.</summary>
        public byte[][] Frames { get; }

        /// <summary>Signal strength each copy is "heard" with.</summary>
        public int[] Rssi { get; }

        /// <summary>GroupEnd[g] is one past the last copy of group g (group g starts at GroupEnd[g-1], or 0).</summary>
        public int[] GroupEnd { get; }

        public int GroupCount => GroupEnd.Length;

        public int GroupStart(int group) => group == 0 ? 0 : GroupEnd[group - 1];

        public static byte[] Secret()
        {
            byte[] secret = new byte[32];
            for (int i = 0; i < secret.Length; i++)
            {
                secret[i] = (byte)(0xA0 + i);
            }

            return secret;
        }

        public static NetworkKey CreateKey() => new NetworkKey(Secret(), DesktopCrypto.Instance);

        /// <summary>The origins' device keys (derived from the same secret); a bridge receiving the feed needs them all.</summary>
        public static DerivedDeviceKeys CreateDeviceKeys() => new DerivedDeviceKeys(Secret(), DesktopCrypto.Instance);

        /// <summary>Builds <paramref name="groups"/> distinct messages from <paramref name="origins"/> origin nodes.</summary>
        public static FrameFeed Build(NetworkKey key, int groups, int origins)
        {
            DerivedDeviceKeys devices = CreateDeviceKeys();
            var senders = new MeshNode[origins];
            for (int i = 0; i < origins; i++)
            {
                senders[i] = new MeshNode(
                    TestKeys.Provisioned(new NodeConfig { NodeId = FirstOriginId + (uint)i, ReportIntervalMs = 0 }, devices),
                    key,
                    new XorShiftRandom(1000 + (ulong)i),
                    0);
            }

            // The feed's relays copy every frame; each origin reports far faster than a fair share allows.
            var relayA = new MeshNode(TestKeys.Provisioned(Unthrottled(RelayAId), devices), key, new XorShiftRandom(7), 0);
            var relayB = new MeshNode(TestKeys.Provisioned(Unthrottled(RelayBId), devices), key, new XorShiftRandom(8), 0);

            var frames = new List<byte[]>(groups * 3);
            var rssi = new List<int>(groups * 3);
            var groupEnd = new List<int>(groups);
            var readings = new ReadingSet();
            byte[] text = "hello, mesh"u8.ToArray();
            byte[] buffer = new byte[250];
            var pending = new List<byte[]>();
            long now = 0;
            int message = 0;
            while (groupEnd.Count < groups)
            {
                now += 100;
                MeshNode origin = senders[message % origins];
                origin.Poll(now); // heartbeats, when due
                if (message % 10 == 9)
                {
                    origin.SendText(text, 0, text.Length, Wire.NodeAddress.Broadcast, now);
                }
                else
                {
                    readings.Clear();
                    readings.AddRaw(Quantity.Temperature, 2000 + message % 700);
                    readings.AddRaw(Quantity.Humidity, 4000 + message % 3000);
                    readings.AddRaw(Quantity.BatteryVoltage, 3300 - message % 500);
                    origin.SendReadings(readings, now);
                }

                message++;
                pending.Clear();
                while (origin.TryTakeTransmit(now, buffer, 0, out int length))
                {
                    pending.Add(buffer.AsSpan(0, length).ToArray());
                }

                foreach (byte[] original in pending)
                {
                    if (groupEnd.Count == groups)
                    {
                        break;
                    }

                    byte[] viaA = Relay(relayA, original, now, buffer);
                    byte[] viaB = Relay(relayB, original, now, buffer);
                    int g = groupEnd.Count;
                    byte[][] copies = (g % 3) switch
                    {
                        0 => new[] { original, viaA, viaB },
                        1 => new[] { viaA, original, viaB },
                        _ => new[] { viaB, viaA, original },
                    };

                    // Most groups carry all three copies; some one or two, so managed flooding both
                    // cancels and sends, and the other policies see both lone frames and duplicates.
                    int count = (g % 8) switch
                    {
                        3 => 1,
                        5 => 2,
                        _ => 3,
                    };

                    for (int c = 0; c < count; c++)
                    {
                        frames.Add(copies[c]);
                        rssi.Add(-40 - ((g * 7 + c * 13) % 60)); // -40 .. -99 dBm
                    }

                    groupEnd.Add(frames.Count);
                }
            }

            return new FrameFeed(frames.ToArray(), rssi.ToArray(), groupEnd.ToArray());
        }

        /// <summary>
        /// A relay whose fair share never binds at the feed's rates (8 origins, 75 frames a minute each,
        /// twelve times the default share): the feed and the allocation tests measure the relay path.
        /// </summary>
        public static NodeConfig Unthrottled(uint id, NodeRole role = NodeRole.Relay)
        {
            return new NodeConfig { NodeId = id, Role = role, FairShareFramesPerMinute = 6000, FairShareBurst = 255 };
        }

        private static byte[] Relay(MeshNode relay, byte[] frame, long now, byte[] buffer)
        {
            var reason = relay.Receive(frame, 0, frame.Length, -70, now);
            if (reason != Wire.RejectReason.None)
            {
                throw new InvalidOperationException("feed relay rejected a frame: " + reason);
            }

            // Flooding jitter is at most 8 ms.
            if (!relay.TryTakeTransmit(now + 1000, buffer, 0, out int length))
            {
                throw new InvalidOperationException("feed relay did not rebroadcast");
            }

            var evt = new MeshEvent();
            while (relay.TryTakeEvent(evt))
            {
                // Text broadcasts are delivered to relays too; the feed does not need them.
            }

            return buffer.AsSpan(0, length).ToArray();
        }
    }
}
