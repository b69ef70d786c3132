using System.Linq;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Security.Attacks.AttackKit;

namespace Mesh.Protocol.Tests.Security.Attacks
{
    /// <summary>
    /// Attacks 6, 7 and 10: an insider (a stolen board: the network key and its own device key) cannot
    /// speak for another node or for a gateway; relays cannot read readings or heartbeats; unsealed
    /// payloads are refused.
    /// </summary>
    public class InsiderAndPrivacyTests
    {
        private const uint Insider = 5;

        private static FrameHeader Header(MessageType type, uint origin, uint destination, uint sequence, int flags, int deviceKeyIndex = 0) => new()
        {
            Flags = flags,
            Type = type,
            Network = 1,
            Origin = origin,
            Destination = destination,
            Sequence = sequence,
            Time = TestKeys.Epoch,
            HopLimit = 8,
            PreviousHop = origin,
            DeviceKeyIndex = deviceKeyIndex,
        };

        private static byte[] ReadingsPayload(double celsius)
        {
            byte[] b = new byte[FrameLayout.MaxPayloadSize];
            int n = Readings(celsius).Encode(b, 0, b.Length);
            return b.Take(n).ToArray();
        }

        [Fact]
        public void An_insider_cannot_forge_another_nodes_readings_or_acknowledgements()
        {
            var mesh = Line();
            SealingKey insiderKey = mesh.DeviceKeys.KeyOf(Insider).Sealing;

            // Readings claiming to come from the sensor, sealed with the insider's own device key.
            byte[] forged = Forge(Header(MessageType.Readings, Sensor, NodeAddress.Gateways, 900, FrameFlags.DeviceSealed), ReadingsPayload(99), insiderKey, mesh.Key);
            mesh.Inject(Attacker, forged);
            mesh.RunFor(50);
            Assert.Contains(RejectReason.BadPayloadMic, mesh.Results[Gateway]);
            Assert.Equal(0, ReadingsDelivered(mesh, Gateway));

            // An acknowledgement for a pending command, claiming to be the sensor's.
            mesh[Gateway].SendCommand(Sensor, CommandKind.Identify, new byte[] { 1, 0 }, 0, 2, mesh.Now, out ushort id);
            byte[] ack = new byte[AckCodec.Size];
            AckCodec.Encode(ack, 0, id, CommandKind.Identify, CommandStatus.Ok);
            mesh.Kill(Relay); // the real command never arrives
            mesh.Inject(Attacker, Forge(Header(MessageType.Ack, Sensor, Gateway, 901, FrameFlags.DeviceSealed), ack, insiderKey, mesh.Key));
            mesh.RunFor(50);
            Assert.DoesNotContain(mesh.Events[Gateway], e => e.Kind == MeshEventKind.CommandAcknowledged);
        }

        [Fact]
        public void An_insider_forging_another_nodes_frame_far_ahead_does_not_silence_it()
        {
            // The simulator's insider adversary found it: a frame forged in the sensor's name with a
            // sequence a million ahead passes every relay's network MIC and moved the relays' replay
            // windows past the sensor's real sequences — all its later readings were TooOld there.
            var mesh = Line();
            Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(20), mesh.Now));
            mesh.RunFor(500);
            Assert.Equal(1, ReadingsDelivered(mesh, Gateway));

            uint next = mesh[Sensor].NextSequence;
            FrameHeader h = Header(MessageType.Readings, Sensor, NodeAddress.Gateways, next + 1_000_000, FrameFlags.DeviceSealed);
            h.Time = mesh[Relay].NetworkTime(mesh.Now);
            mesh.Inject(Attacker, Forge(h, ReadingsPayload(99), mesh.DeviceKeys.KeyOf(Insider).Sealing, mesh.Key));
            mesh.RunFor(500);
            Assert.Equal(1, ReadingsDelivered(mesh, Gateway)); // the forgery is not delivered

            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(21 + i), mesh.Now));
                mesh.RunFor(500);
            }

            Assert.Equal(4, ReadingsDelivered(mesh, Gateway));
            Assert.DoesNotContain(RejectReason.TooOld, mesh.Results[Relay]);
        }

        [Fact]
        public void An_insider_forging_another_nodes_frame_a_few_hundred_ahead_costs_it_nothing()
        {
            // Within MaxUnverifiedJump (1,024) a forgery still moved every relay's window: the sensor's next
            // 900 sequences were TooOld there (the simulator's sequenceJump 1,000,000 lost 6 % of readings and
            // 16 of 84 commands that way). Only a node that opens a payload may move an origin's window.
            var mesh = Line();
            Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(20), mesh.Now));
            mesh.RunFor(500);

            uint next = mesh[Sensor].NextSequence;
            FrameHeader h = Header(MessageType.Readings, Sensor, NodeAddress.Gateways, next + 1_000, FrameFlags.DeviceSealed);
            h.Time = mesh[Relay].NetworkTime(mesh.Now);
            mesh.Inject(Attacker, Forge(h, ReadingsPayload(99), mesh.DeviceKeys.KeyOf(Insider).Sealing, mesh.Key));
            mesh.RunFor(500);

            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(21 + i), mesh.Now));
                mesh.RunFor(500);
            }

            Assert.Equal(4, ReadingsDelivered(mesh, Gateway));
            Assert.DoesNotContain(RejectReason.TooOld, mesh.Results[Relay]);
            Assert.DoesNotContain(RejectReason.TooOld, mesh.Results[Gateway]);
        }

        [Fact]
        public void An_insider_forging_another_nodes_next_sequence_does_not_cost_it_that_message()
        {
            // Relays cannot open a reading, so a forgery in the sensor's name under the sequence the sensor will
            // use next passes their network MIC. Recorded under (origin, sequence) alone it made every relay, and
            // the gateway, refuse the genuine frame as a duplicate (adversarial-v2-100: readings 89.8 %).
            var mesh = Line();
            Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(20), mesh.Now));
            mesh.RunFor(500);
            Assert.Equal(1, ReadingsDelivered(mesh, Gateway));

            FrameHeader h = Header(MessageType.Readings, Sensor, NodeAddress.Gateways, mesh[Sensor].NextSequence, FrameFlags.DeviceSealed);
            h.Time = mesh[Relay].NetworkTime(mesh.Now);
            byte[] forged = Forge(h, ReadingsPayload(99), mesh.DeviceKeys.KeyOf(Insider).Sealing, mesh.Key);
            mesh.Inject(Attacker, forged);
            mesh.RunFor(500);
            Assert.Contains(RejectReason.BadPayloadMic, mesh.Results[Gateway]); // the forgery is not delivered

            Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(21), mesh.Now));
            mesh.RunFor(500);
            Assert.Equal(2, ReadingsDelivered(mesh, Gateway)); // the genuine reading: the forgery cannot open

            // Each copy is still taken once: replaying the forgery and the genuine frame changes nothing.
            mesh.Inject(Attacker, forged);
            mesh.Inject(Attacker, Captured(mesh, Sensor, MessageType.Readings, last: true));
            mesh.RunFor(500);
            Assert.Equal(2, ReadingsDelivered(mesh, Gateway));
        }

        [Fact]
        public void A_node_that_lost_its_checkpoint_jumps_far_ahead_and_is_still_heard_and_protected_from_replay()
        {
            var mesh = Line();
            Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(20), mesh.Now));
            mesh.RunFor(500);

            // Restarted without its sequence_start: the node app jumps into the upper half of the space.
            NodeConfig restarted = InMemoryMesh.Config(Sensor, NodeRole.Sensor);
            restarted.InitialSequence = 0x8000_0000u + 12_345;
            restarted.InitialNetworkTime = mesh[Relay].NetworkTime(mesh.Now);
            mesh.Restart(restarted);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(SendResult.Queued, mesh[Sensor].SendReadings(Readings(30 + i), mesh.Now));
                mesh.RunFor(500);
            }

            Assert.Equal(4, ReadingsDelivered(mesh, Gateway));
            // The gateway opened them, so its window moved: a replay of the first is refused there.
            byte[] replay = Captured(mesh, Sensor, MessageType.Readings);
            mesh.Inject(Attacker, replay);
            mesh.RunFor(500);
            Assert.Equal(4, ReadingsDelivered(mesh, Gateway));
        }

        [Fact]
        public void An_insider_cannot_command_a_node_nor_impersonate_the_gateway()
        {
            var mesh = Line();
            NodeConfig insiderConfig = InMemoryMesh.Config(Insider, NodeRole.Relay);
            MeshNode insider = mesh.Add(insiderConfig);
            mesh.Link(Insider, Sensor);

            // Its own core refuses: it holds no one else's device key.
            Assert.Equal(SendResult.NoDeviceKey, insider.SendCommand(Sensor, CommandKind.Reboot, new byte[0], 0, 0, mesh.Now, out _));

            // Hand-made: "gossip p = 0" to the sensor in the gateway's name, sealed with every key the insider has.
            byte[] args = new byte[PolicySettings.EncodedSize];
            PolicySettings.Gossip(0, 0).Write(args, 0);
            byte[] payload = new byte[CommandCodec.HeaderSize + args.Length];
            CommandCodec.Encode(payload, 0, 7, CommandKind.SetForwardingPolicy, 5000, args, 0, args.Length);
            SealingKey own = mesh.DeviceKeys.KeyOf(Insider).Sealing;
            byte[][] attempts =
            {
                Forge(Header(MessageType.Command, Gateway, Sensor, 5000, FrameFlags.DeviceSealed | FrameFlags.Downlink), payload, own, mesh.Key),
                Forge(Header(MessageType.Command, Gateway, Sensor, 5001, FrameFlags.NetworkSealed), payload, mesh.Key.Payload, mesh.Key),
                Forge(Header(MessageType.Command, Gateway, Sensor, 5002, 0), payload, null, mesh.Key),
                Forge(Header(MessageType.Command, Insider, Sensor, 5003, FrameFlags.DeviceSealed), payload, own, mesh.Key),
            };
            foreach (byte[] frame in attempts)
            {
                mesh.Inject(Attacker, frame);
                mesh.RunFor(50);
            }

            Assert.Equal(0, CommandsDelivered(mesh, Sensor));
            Assert.Equal(PolicyKind.Flooding, mesh[Sensor].Policy.Settings.Kind);
            Assert.Contains(RejectReason.BadPayloadMic, mesh.Results[Sensor]);
            Assert.Contains(RejectReason.Unsealed, mesh.Results[Sensor]);
        }

        [Fact]
        public void A_relay_forwards_readings_and_heartbeats_it_cannot_read()
        {
            var mesh = Line();
            mesh[Sensor].SendReadings(Readings(23.25), mesh.Now);
            mesh.RunFor(500);

            Assert.True(mesh[Relay].Counters.RelaysScheduled >= 1, "the relay relayed the reading");
            Assert.Empty(mesh.Events[Relay]);
            Assert.Equal(1, ReadingsDelivered(mesh, Gateway));

            // The payload on the air is not the plaintext, and the network key does not open it.
            byte[] frame = Captured(mesh, Sensor, MessageType.Readings);
            byte[] plain = ReadingsPayload(23.25);
            Assert.NotEqual(plain, frame.Skip(FrameLayout.HeaderSize).Take(plain.Length).ToArray());
            var h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.False(new PayloadSealer().Open(mesh.Key.Payload, h, frame, 0, new byte[PayloadSealer.WorkSize]));
            Assert.False(new PayloadSealer().Open(mesh.DeviceKeys.KeyOf(Relay).Sealing, h, frame, 0, new byte[PayloadSealer.WorkSize]));
        }

        [Fact]
        public void Unsealed_payloads_are_refused_readings_always_and_text_unless_the_node_allows_it()
        {
            var mesh = Line();
            NodeConfig lax = InMemoryMesh.Config(6, NodeRole.Relay);
            lax.RequireEncryption = false;
            mesh.Add(lax);
            mesh.Link(Attacker, 6);

            mesh.Inject(Attacker, Forge(Header(MessageType.Readings, Sensor, NodeAddress.Gateways, 700, 0), ReadingsPayload(5), null, mesh.Key));
            mesh.RunFor(50);
            Assert.Equal(RejectReason.Unsealed, mesh.Results[Gateway][^1]);
            Assert.Equal(RejectReason.Unsealed, mesh.Results[6][^1]);

            mesh.Inject(Attacker, Forge(Header(MessageType.Text, Sensor, NodeAddress.Broadcast, 701, 0), new byte[] { 104, 105 }, null, mesh.Key));
            mesh.RunFor(50);
            Assert.Equal(RejectReason.Unsealed, mesh.Results[Relay][^1]);
            Assert.Contains(mesh.Events[6], e => e.Type == MessageType.Text && !e.WasEncrypted);
        }
    }
}
