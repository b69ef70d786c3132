using System;
using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Tests.Security.Attacks;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>Quality of service as a node applies it: duty-cycle deferral, congestion control, heartbeat block 1, throttle notices, eviction, and the honest workload.</summary>
    public class QosNodeTests
    {
        private static readonly NetworkKey Key = TestKeys.Network();

        private static MeshNode Node(NodeConfig config) =>
            new(TestKeys.Provisioned(config, TestKeys.Devices()), Key, new XorShiftRandom(config.NodeId), 0);

        private static ReadingSet OneReading(int value)
        {
            var set = new ReadingSet();
            set.AddRaw(Quantity.Temperature, value);
            return set;
        }

        /// <summary>A valid text broadcast from <paramref name="origin"/>, as if relayed <paramref name="hopsTaken"/> times.</summary>
        private static byte[] Text(uint origin, uint sequence, int hopsTaken, uint time)
        {
            var h = new FrameHeader
            {
                Flags = FrameFlags.NetworkSealed,
                Type = MessageType.Text,
                Network = 1,
                Origin = origin,
                Destination = NodeAddress.Broadcast,
                Sequence = sequence,
                Time = time,
                HopLimit = 8,
                HopsTaken = hopsTaken,
                PreviousHop = hopsTaken == 0 ? origin : 0x55,
            };
            return AttackKit.Forge(h, new byte[] { 1, 2, 3 }, Key.Payload, Key);
        }

        [Fact]
        public void A_frame_over_the_duty_cycle_budget_waits_the_node_wakes_when_budget_returns_and_nothing_is_lost()
        {
            var mesh = new InMemoryMesh();
            NodeConfig sensor = InMemoryMesh.Config(1, NodeRole.Sensor);
            sensor.DutyCyclePermille = 1; // 0.1 % of 10 s: 10 ms of airtime
            mesh.Add(sensor);
            mesh.Add(InMemoryMesh.Config(2, NodeRole.Bridge));
            mesh.Link(1, 2);

            // A one-reading frame is 56 bytes: 900 + 56 × 8 = 1348 µs; seven fit in 10000 µs, the eighth does not.
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(SendResult.Queued, mesh[1].SendReadings(OneReading(i), mesh.Now));
            }

            mesh.RunFor(1);
            Assert.Equal(3, mesh[1].PendingTransmits);
            Assert.Equal(1, mesh[1].Counters.DutyCycleDeferrals);
            // The 9436 µs sent in the first tenth (0 … 1 s) count until the eleventh tenth begins.
            Assert.Equal(11_000, mesh[1].NextTransmitMs);
            Assert.Equal(11_000, mesh[1].NextWakeMs);

            mesh.RunFor(30_000);
            long[] times = mesh.Log.Where(t => t.Node == 1 && t.Type == MessageType.Readings).Select(t => t.TimeMs).ToArray();
            Assert.Equal(new long[] { 0, 0, 0, 0, 0, 0, 0, 11_000, 11_000, 11_000 }, times);
            Assert.Equal(10, mesh.Events[2].Count(e => e.Kind == MeshEventKind.Message && e.Origin == 1));
            Assert.Equal(1, mesh[1].Counters.DutyCycleDeferrals);
        }

        /// <summary>
        /// PROTOCOL.md, "Duty cycle": a flooded relay that would take the window past 15/16 of the budget is not
        /// scheduled (counted RelaysDutyReserved); the node's own reading still fits in what is left.
        /// </summary>
        [Fact]
        public void A_flooded_relay_leaves_the_last_sixteenth_of_the_duty_budget_to_the_nodes_own_frames()
        {
            var mesh = new InMemoryMesh();
            NodeConfig sensor = InMemoryMesh.Config(1, NodeRole.Sensor);
            sensor.DutyCyclePermille = 2; // 0.2 % of 10 s: 20 ms of airtime, 18.75 ms for relays
            mesh.Add(sensor);
            mesh.Add(InMemoryMesh.Config(2, NodeRole.Bridge));
            mesh.Link(1, 2);

            // Thirteen one-reading frames of 1348 µs (seven, then six): 17,524 µs sent in the first tenth.
            for (int batch = 0; batch < 2; batch++)
            {
                for (int i = 0; i < 7 - batch; i++)
                {
                    Assert.Equal(SendResult.Queued, mesh[1].SendReadings(OneReading(batch * 7 + i), mesh.Now));
                }

                mesh.RunFor(1);
                Assert.Equal(0, mesh[1].PendingTransmits);
            }

            byte[] text = Text(0x77, 1, 0, TestKeys.Epoch);
            long air = 900 + text.Length * 8;
            Assert.True(17_524 + air > 18_750 && 17_524 + air <= 20_000); // within the budget, not within 15/16 of it
            long before = mesh[1].Counters.RelaysScheduled;
            Assert.Equal(RejectReason.None, mesh[1].Receive(text, 0, text.Length, -70, mesh.Now));
            Assert.Equal(before, mesh[1].Counters.RelaysScheduled);
            Assert.Equal(1, mesh[1].Counters.RelaysDutyReserved);

            // The node's own reading (1348 µs) fits in the reserve and leaves at once.
            Assert.Equal(SendResult.Queued, mesh[1].SendReadings(OneReading(99), mesh.Now));
            mesh.RunFor(1);
            Assert.Equal(14, mesh.Log.Count(t => t.Node == 1 && t.Type == MessageType.Readings));
            Assert.Equal(0, mesh[1].Counters.DutyCycleDeferrals);
        }

        /// <summary>Half the channel busy (θ = 25 %): delays × 2, broadcasts' hop limit ⌈8 × 500/750⌉ = 6.</summary>
        [Fact]
        public void Above_the_threshold_broadcast_hop_limits_shrink_delays_stretch_and_the_node_reports_congestion()
        {
            NodeConfig config = InMemoryMesh.Config(0x20, NodeRole.Relay);
            config.AirtimeOverheadUs = 100_000; // every frame heard: 100 ms + 8 µs a byte
            config.CongestionThresholdPermille = 250; // the known answers below are worked out for θ = 25 %
            config.Policy = PolicySettings.Managed(2);
            config.Policy.MinDelayMs = 100;
            config.Policy.MaxDelayMs = 100;
            config.Policy.JitterMs = 0;
            MeshNode node = Node(config);
            byte[] noise = new byte[10];
            for (long s = 0; s < 10; s++)
            {
                for (int i = 0; i < 5; i++)
                {
                    Assert.NotEqual(RejectReason.None, node.Receive(noise, 0, noise.Length, -70, s * 1000 + i));
                }
            }

            long now = 9_999;
            Assert.True(node.IsCongested(now));
            Assert.Equal(127, node.Utilisation(now)); // 5.004 s of 10 s on the 255 scale
            Assert.Equal(127, node.Counters.Utilisation);

            // A relay does not pass a broadcast whose hops taken reached the scaled limit. Every frame heard
            // adds its airtime (100 ms + 53 × 8 µs): 5104424 µs busy, 510 ‰: ⌈8 × 490 / 750⌉ = 6.
            uint time = TestKeys.Epoch + 9;
            byte[] tooFar = Text(0x77, 1, 6, time);
            Assert.Equal(RejectReason.None, node.Receive(tooFar, 0, tooFar.Length, -70, now));
            Assert.Equal(1, node.Counters.RelaysHopScaled);
            Assert.Equal(0, node.PendingTransmits);

            // 520 ‰: hop limit still 6, delay factor 1 + 270/250 = 2.08, so the 100 ms contention delay is 208.
            byte[] relayable = Text(0x77, 2, 3, time);
            Assert.Equal(RejectReason.None, node.Receive(relayable, 0, relayable.Length, -70, now));
            Assert.Equal(1, node.PendingTransmits);
            Assert.Equal(now + 208, node.NextTransmitMs);

            byte[] hello = { 1 };
            byte[] output = new byte[FrameLayout.MaxFrameSize];
            Assert.Equal(SendResult.Queued, node.SendText(hello, 0, 1, NodeAddress.Broadcast, now));
            Assert.True(node.TryTakeTransmit(now, output, 0, out _));
            Assert.Equal(6, output[FrameLayout.OffsetHopLimit]);

            // Not a broadcast: the hop limit stays.
            Assert.Equal(SendResult.Queued, node.SendText(hello, 0, 1, 0x99, now));
            Assert.True(node.TryTakeTransmit(now, output, 0, out _));
            Assert.Equal(8, output[FrameLayout.OffsetHopLimit]);
        }

        [Fact]
        public void A_gateways_burst_of_commands_and_their_acks_pass_a_relay_control_frames_cost_a_tenth_of_a_share()
        {
            // Gateway 1 - relay 2 - 30 nodes behind it: a key refresh or a dashboard "ping all" sends a
            // command to each at once. At one token a frame the relay would pass 8 and throttle 22.
            var mesh = new InMemoryMesh();
            NodeConfig gateway = InMemoryMesh.Config(1, NodeRole.Bridge);
            gateway.PendingCommandSlots = 32;
            gateway.TransmitQueueSize = 64;
            mesh.Add(gateway);
            NodeConfig relay = InMemoryMesh.Config(2, NodeRole.Relay);
            relay.TransmitQueueSize = 64;
            mesh.Add(relay);
            mesh.Link(1, 2);
            for (uint n = 10; n < 40; n++)
            {
                NodeConfig target = InMemoryMesh.Config(n, NodeRole.Sensor);
                target.TransmitQueueSize = 64; // each relays the 29 commands to the others before its own ack
                mesh.Add(target);
                mesh.Link(2, n);
            }

            for (uint n = 10; n < 40; n++)
            {
                Assert.Equal(SendResult.Queued, mesh[1].SendCommand(n, CommandKind.Ping, new byte[0], 0, 0, mesh.Now, out _));
            }

            mesh.RunFor(3_000);
            Assert.Equal(0, mesh[2].Counters.ThrottledFrames);
            Assert.Equal(30, mesh[1].Counters.CommandsAcknowledged);
            Assert.Equal(0, mesh[1].Counters.CommandRetries);
        }

        [Fact]
        public void Control_frames_still_have_a_bound_ten_times_the_share()
        {
            var share = new FairShare(4, 6, 8, 10, 0);
            int passed = 0;
            for (int i = 0; i < 200; i++)
            {
                passed += share.TryTake(5, 0, FairShare.UnitsPerFrame / 10) ? 1 : 0;
            }

            Assert.Equal(80, passed);
        }

        [Fact]
        public void A_relays_heartbeat_carries_block_1_with_what_it_throttled_since_the_last_one()
        {
            var mesh = new InMemoryMesh();
            NodeConfig babbler = InMemoryMesh.Config(1, NodeRole.Sensor);
            babbler.TransmitQueueSize = 64;
            mesh.Add(babbler);
            NodeConfig relay = InMemoryMesh.Config(2, NodeRole.Relay);
            relay.HeartbeatIntervalMs = 30_000;
            mesh.Add(relay);
            mesh.Add(InMemoryMesh.Config(3, NodeRole.Bridge));
            mesh.Link(1, 2);
            mesh.Link(2, 3);
            for (int i = 0; i < 30; i++)
            {
                mesh[1].SendReadings(OneReading(i), mesh.Now);
            }

            mesh.RunFor(80_000);
            var beats = new List<Heartbeat>();
            foreach (MeshEvent e in mesh.Events[3].Where(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Heartbeat && e.Origin == 2))
            {
                var hb = new Heartbeat();
                Assert.True(hb.TryDecode(e.Payload, 0, e.PayloadLength));
                beats.Add(hb);
            }

            Assert.True(beats.Count >= 2, beats.Count + " heartbeats");
            Assert.True(beats[0].HasQos);
            Assert.Equal(22, beats[0].Qos.Throttled); // 30 frames, burst 8
            Assert.Equal(1u, beats[0].Qos.MostThrottled);
            Assert.Equal(22, mesh[2].Counters.ThrottledFrames);
            Assert.Equal(new byte[4], beats[0].Qos.Lost);
            Assert.Equal(0, beats[1].Qos.Throttled);
            Assert.Equal(0u, beats[1].Qos.MostThrottled);
        }

        [Theory]
        [InlineData(8, 8)] // the default: the best eight
        [InlineData(32, 29)] // as many as fit next to blocks 1 and 3
        [InlineData(0, 0)] // none: block 3 still says how many it knows
        public void A_heartbeat_lists_the_best_neighbours_up_to_its_limit_and_says_how_many_it_knows(int limit, int listed)
        {
            var mesh = new InMemoryMesh();
            NodeConfig center = InMemoryMesh.Config(100, NodeRole.Sensor);
            center.HeartbeatIntervalMs = 60_000;
            center.HeartbeatNeighbours = limit;
            mesh.Add(center);
            mesh.Add(InMemoryMesh.Config(200, NodeRole.Edge));
            mesh.Link(100, 200);
            for (uint leaf = 1; leaf <= 31; leaf++)
            {
                mesh.Add(InMemoryMesh.Config(leaf, NodeRole.Sensor));
                mesh.Link(leaf, 100);
            }

            // Leaves 1 … 31 send a frame every 5 s; the odd ones lose every other frame (a sequence gap the
            // center sees), so their quality falls below the even ones'.
            for (int round = 0; round < 30; round++)
            {
                for (uint leaf = 1; leaf <= 31; leaf++)
                {
                    mesh[leaf].SendReadings(OneReading(round), mesh.Now);
                    if (leaf % 2 == 1 && round % 2 == 0)
                    {
                        byte[] sink = new byte[FrameLayout.MaxFrameSize];
                        mesh[leaf].TryTakeTransmit(mesh.Now, sink, 0, out _); // lost on the air
                    }
                }

                mesh.RunFor(5_000);
            }

            MeshEvent last = mesh.Events[200].Last(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Heartbeat && e.Origin == 100);
            var hb = new Heartbeat();
            Assert.True(hb.TryDecode(last.Payload, 0, last.PayloadLength));
            Assert.True(hb.HasQos);
            Assert.Equal(listed, hb.NeighbourCount);
            Assert.True(hb.HasNeighboursKnown);
            Assert.Equal(31, hb.NeighboursKnown); // the leaves; the edge node (the gateway here) sends nothing the center hears first-hand
            Assert.True(last.PayloadLength <= FrameLayout.MaxPayloadSize);
            Assert.Equal(Heartbeat.FixedSize + listed * Heartbeat.EntrySize + hb.BlocksLength, last.PayloadLength);
            for (int i = 1; i < hb.NeighbourCount; i++)
            {
                Assert.True(hb.NeighbourQuality[i - 1] >= hb.NeighbourQuality[i], "quality order at " + i);
            }

            // The 15 even leaves (best heard) come first: all of them when they fit, only they when not.
            uint[] ids = hb.NeighbourIds.Take(hb.NeighbourCount).ToArray();
            for (uint leaf = 2; leaf <= 31; leaf += 2)
            {
                if (listed >= 16)
                {
                    Assert.Contains(leaf, ids);
                }
            }

            if (listed < 16)
            {
                Assert.All(ids, id => Assert.True(id % 2 == 0, "listed " + id + " over an even leaf"));
            }
        }

        [Fact]
        public void A_throttle_notice_naming_this_node_doubles_its_report_spacing_for_a_minute()
        {
            NodeConfig config = InMemoryMesh.Config(0x30, NodeRole.Sensor);
            config.ReportIntervalMs = 60_000;
            MeshNode node = Node(config);
            node.OnNeighbourThrottleNotice(0x31, 9, 0); // someone else: ignored
            node.OnNeighbourThrottleNotice(0x30, 5, 0);
            Assert.Equal(5, node.Counters.ThrottledByNeighbours);

            var reports = new List<long>();
            var e = new MeshEvent();
            for (long t = 0; t <= 400_000; t += 100)
            {
                if (t >= node.NextWakeMs)
                {
                    node.Poll(t);
                }

                while (node.TryTakeEvent(e))
                {
                    if (e.Kind == MeshEventKind.ReportDue)
                    {
                        reports.Add(t);
                    }
                }
            }

            Assert.True(reports[0] < 60_000);
            Assert.InRange(reports[1] - reports[0], 119_900, 120_100); // spaced × 2 while the notice held
            Assert.InRange(reports[2] - reports[1], 59_900, 60_100);
        }

        [Fact]
        public void An_own_reading_evicts_a_waiting_text_relay_and_an_own_text_finding_no_lower_class_is_refused()
        {
            NodeConfig config = InMemoryMesh.Config(0x40, NodeRole.Relay);
            config.TransmitQueueSize = 2;
            config.Policy = PolicySettings.Managed(2);
            config.Policy.MinDelayMs = 100;
            config.Policy.MaxDelayMs = 100;
            MeshNode node = Node(config);
            uint time = TestKeys.Epoch;
            byte[] first = Text(0x77, 1, 0, time);
            byte[] second = Text(0x78, 1, 0, time);
            Assert.Equal(RejectReason.None, node.Receive(first, 0, first.Length, -70, 0));
            Assert.Equal(RejectReason.None, node.Receive(second, 0, second.Length, -70, 0));
            Assert.Equal(2, node.PendingTransmits);

            Assert.Equal(SendResult.Queued, node.SendReadings(OneReading(1), 0));
            Assert.Equal(1, node.Counters.EvictedByClass[TrafficClass.Bulk]);
            Assert.Equal(SendResult.TransmitQueueFull, node.SendText(new byte[] { 1 }, 0, 1, NodeAddress.Broadcast, 0));
            Assert.Equal(1, node.Counters.DroppedByClass[TrafficClass.Bulk]);

            // The reading leaves first although the remaining relay was due no later.
            byte[] output = new byte[FrameLayout.MaxFrameSize];
            Assert.True(node.TryTakeTransmit(1_000, output, 0, out _));
            Assert.Equal((byte)MessageType.Readings, output[FrameLayout.OffsetType]);
            Assert.True(node.TryTakeTransmit(1_000, output, 0, out _));
            Assert.Equal((byte)MessageType.Text, output[FrameLayout.OffsetType]);
        }

        /// <summary>
        /// The honest workload PROTOCOL.md sizes the defaults for — three sensors reporting once a minute
        /// with a heartbeat every 5 minutes, and the gateway pinging each every 5 minutes — through two
        /// relays for an hour: nothing is throttled, evicted or deferred, and everything arrives.
        /// </summary>
        [Fact]
        public void The_honest_workload_is_never_throttled()
        {
            var mesh = new InMemoryMesh();
            uint[] sensors = { 1, 2, 3 };
            mesh.Add(InMemoryMesh.Config(10, NodeRole.Relay));
            mesh.Add(InMemoryMesh.Config(11, NodeRole.Relay));
            mesh.Add(InMemoryMesh.Config(20, NodeRole.Bridge));
            foreach (uint s in sensors)
            {
                NodeConfig c = InMemoryMesh.Config(s, NodeRole.Sensor);
                c.ReportIntervalMs = 60_000;
                c.HeartbeatIntervalMs = 300_000;
                mesh.Add(c);
                mesh.Link(s, 10);
            }

            mesh.Link(10, 11);
            mesh.Link(11, 20);

            int readings = 0;
            int pings = 0;
            int seen = 0;
            for (long second = 0; second < 3600; second++)
            {
                foreach (uint s in sensors)
                {
                    List<MeshEvent> events = mesh.Events[s];
                    while (events.Count > 0)
                    {
                        if (events[0].Kind == MeshEventKind.ReportDue)
                        {
                            Assert.Equal(SendResult.Queued, mesh[s].SendReadings(OneReading((int)second), mesh.Now));
                            readings++;
                        }

                        events.RemoveAt(0);
                    }

                    if (second % 300 == 30 * s)
                    {
                        Assert.Equal(SendResult.Queued, mesh[20].SendCommand(s, CommandKind.Ping, Array.Empty<byte>(), 0, 0, mesh.Now, out _));
                        pings++;
                    }
                }

                mesh.RunFor(1_000);
                seen = mesh.Events[20].Count(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings);
            }

            mesh.RunFor(10_000);
            seen = mesh.Events[20].Count(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings);
            Assert.True(readings >= 3 * 59, readings + " readings");
            Assert.Equal(readings, seen);
            Assert.Equal(pings, (int)mesh[20].Counters.CommandsAcknowledged);
            foreach (uint n in new uint[] { 1, 2, 3, 10, 11, 20 })
            {
                NodeCounters c = mesh[n].Counters;
                Assert.Equal(0, c.ThrottledFrames);
                Assert.Equal(0, c.EvictedByClass.Sum() + c.DroppedByClass.Sum());
                Assert.Equal(0, c.DutyCycleDeferrals);
            }
        }
    }
}
