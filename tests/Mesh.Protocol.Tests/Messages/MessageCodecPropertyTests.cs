using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.WireTests;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.MessagesTests
{
    public sealed record ReadingItem(bool Generic, byte Quantity, ushort Id, sbyte Exponent, int Raw);

    public sealed record NeighbourEntry(uint Id, sbyte Rssi, byte Quality);

    public sealed record HeartbeatCase(byte Role, byte Policy, ushort Counter, uint Uptime, NeighbourEntry[] Neighbours)
    {
        public override string ToString() =>
            $"HeartbeatCase {{ Role = {Role}, Policy = {Policy}, Counter = {Counter}, Uptime = {Uptime}, Neighbours = [{string.Join(", ", Neighbours.Select(n => n.ToString()))}] }}";
    }

    public sealed record CommandCase(ushort Id, byte Kind, uint Counter, byte[] Args)
    {
        public override string ToString() => $"CommandCase {{ Id = {Id}, Kind = {Kind}, Counter = {Counter}, Args = {Hex(Args)} }}";
    }

    public sealed record PolicyCase(byte Kind, ushort Probability, byte AlwaysHops, byte Cancel, ushort MinDelay, ushort MaxDelay, byte Jitter);

    public sealed record TextCase(byte[] Text, bool Encrypt, int DestinationKind)
    {
        public override string ToString() => $"TextCase {{ Text = {Hex(Text)}, Encrypt = {Encrypt}, DestinationKind = {DestinationKind} }}";
    }

    /// <summary>Round-trip properties of every payload codec, and of each payload carried through a frame.</summary>
    public class MessageCodecPropertyTests
    {
        private static readonly Gen<sbyte> AnySByte = Gen.Choose(-128, 127).Select(v => (sbyte)v);

        private static readonly Gen<ReadingItem> Item = Gen.Frequency(
            (3, from q in Gen.Choose(1, 7)
                from raw in WireGen.AnyInt
                select new ReadingItem(false, (byte)q, 0, 0, raw)),
            (1, from id in WireGen.AnyUShort
                from exp in AnySByte
                from raw in WireGen.AnyInt
                select new ReadingItem(true, (byte)Quantity.Generic, id, exp, raw)));

        private static readonly Gen<ReadingItem[]> Items =
            Gen.Choose(0, ReadingSet.MaxItems).SelectMany(n => Gen.ArrayOf(Item, n));

        private static ReadingSet Build(ReadingItem[] items)
        {
            ReadingSet set = new ReadingSet();
            foreach (ReadingItem it in items)
            {
                bool added = it.Generic
                    ? set.AddGeneric(it.Id, it.Raw, it.Exponent)
                    : set.AddRaw((Quantity)it.Quantity, it.Raw);
                Assert.True(added);
            }

            return set;
        }

        private static void AssertItems(ReadingItem[] items, ReadingSet set)
        {
            Assert.Equal(items.Length, set.Count);
            for (int i = 0; i < items.Length; i++)
            {
                ReadingItem it = items[i];
                Assert.Equal((Quantity)it.Quantity, set.QuantityAt(i));
                Assert.Equal(it.Raw, set.RawValueAt(i));
                Assert.Equal(it.Generic ? it.Id : (ushort)0, set.GenericIdAt(i));
                Assert.Equal(it.Generic ? it.Exponent : Quantities.Exponent((Quantity)it.Quantity), set.ExponentAt(i));
            }
        }

        // ------------------------------------------------------------------ readings

        [Property(MaxTest = 500, Replay = "(1001,2003)")]
        public Property ReadingSet_of_standard_and_generic_items_encodes_and_decodes_to_the_same_items()
        {
            return Prop.ForAll(Items.ToArbitrary(), items =>
            {
                ReadingSet set = Build(items);
                int expectedLength = 1 + items.Sum(i => i.Generic ? ReadingSet.GenericItemSize : ReadingSet.StandardItemSize);
                Assert.Equal(expectedLength, set.EncodedLength);

                const int offset = 3;
                byte[] buffer = new byte[offset + expectedLength]; // exact: an over-read or over-write throws
                Assert.Equal(expectedLength, set.Encode(buffer, offset, expectedLength));
                Assert.Equal(-1, set.Encode(buffer, offset, expectedLength - 1));

                ReadingSet decoded = new ReadingSet();
                Assert.True(decoded.TryDecode(buffer, offset, expectedLength));
                AssertItems(items, decoded);

                // One byte short or one byte long is malformed, and a failed decode leaves the set empty.
                Assert.False(decoded.TryDecode(buffer, offset, expectedLength - 1));
                Assert.Equal(0, decoded.Count);
                byte[] longer = new byte[expectedLength + 1];
                Array.Copy(buffer, offset, longer, 0, expectedLength);
                Assert.False(decoded.TryDecode(longer, 0, longer.Length));
                Assert.Equal(0, decoded.Count);
            });
        }

        [Property(MaxTest = 2000, Replay = "(5,7)")]
        public Property ReadingSet_any_byte_string_that_decodes_re_encodes_to_itself_and_any_other_leaves_the_set_empty()
        {
            // Valid encodings, the same with one byte dropped, appended or overwritten, and plain noise.
            Gen<byte[]> shaped =
                from items in Items
                from mutation in Gen.Choose(0, 3)
                from position in Gen.Choose(0, 1000)
                from value in WireGen.AnyByte
                select Mutate(Encode(Build(items)), mutation, position, value);
            return Prop.ForAll(Gen.OneOf(shaped, WireGen.Bytes(0, 40)).ToArbitrary(), bytes =>
            {
                ReadingSet set = new ReadingSet();
                set.AddRaw(Quantity.Co2, 400); // stale content must not survive a failed decode
                if (!set.TryDecode(bytes, 0, bytes.Length))
                {
                    Assert.Equal(0, set.Count);
                    return;
                }

                byte[] again = new byte[set.EncodedLength];
                Assert.Equal(bytes.Length, set.Encode(again, 0, again.Length));
                Assert.Equal(Hex(bytes), Hex(again));
            });
        }

        private static byte[] Encode(ReadingSet set)
        {
            byte[] b = new byte[set.EncodedLength];
            Assert.Equal(b.Length, set.Encode(b, 0, b.Length));
            return b;
        }

        private static byte[] Mutate(byte[] bytes, int mutation, int position, byte value)
        {
            switch (mutation)
            {
                case 1:
                    return bytes.AsSpan(0, bytes.Length - 1).ToArray();
                case 2:
                    return bytes.Concat(new[] { value }).ToArray();
                case 3:
                    byte[] copy = (byte[])bytes.Clone();
                    copy[position % copy.Length] = value;
                    return copy;
                default:
                    return bytes;
            }
        }

        [Fact]
        public void ReadingSet_rejects_a_33rd_item_undefined_quantities_and_non_finite_values()
        {
            ReadingSet set = new ReadingSet();
            for (int i = 0; i < ReadingSet.MaxItems; i++)
            {
                Assert.True(set.AddGeneric((ushort)i, i, 0));
            }

            Assert.False(set.AddGeneric(99, 1, 0));
            Assert.False(set.AddRaw(Quantity.Temperature, 1));
            Assert.Equal(1 + 32 * 8, set.EncodedLength);
            Assert.Equal(-1, set.Encode(new byte[FrameLayout.MaxPayloadSize], 0, FrameLayout.MaxPayloadSize)); // 257 > 215

            ReadingSet other = new ReadingSet();
            Assert.False(other.AddRaw((Quantity)0, 1));
            Assert.False(other.AddRaw((Quantity)8, 1));
            Assert.False(other.AddRaw(Quantity.Generic, 1));
            Assert.False(other.Add(Quantity.Temperature, double.NaN));
            Assert.False(other.Add(Quantity.Temperature, double.PositiveInfinity));
            Assert.False(other.Add(Quantity.Temperature, 3e7)); // 3e9 centi-degrees does not fit an i32
            Assert.True(other.Add(Quantity.BatteryVoltage, 3.712));
            Assert.True(other.Add(Quantity.Temperature, -21.5));
            Assert.Equal(3712, other.RawValueAt(0));
            Assert.Equal(-2150, other.RawValueAt(1));
            Assert.Equal(-21.5, other.ValueAt(1), 9);
        }

        public sealed record ReadingsFrameCase(ReadingItem[] Items, bool Encrypt);

        [Property(MaxTest = 150, Replay = "(8080,9191)")]
        public Property ReadingSet_sent_by_a_node_arrives_intact_at_a_bridge_or_is_refused_as_too_large()
        {
            Gen<ReadingsFrameCase> cases =
                from items in Items
                from encrypt in Gen.Elements(true, false)
                select new ReadingsFrameCase(items, encrypt);
            return Prop.ForAll(cases.ToArbitrary(), c =>
            {
                NetworkKey key = Key(Secret);
                MeshNode sensor = Sender(key, c.Encrypt);
                ReadingSet set = Build(c.Items);
                SendResult sent = sensor.SendReadings(set, 0);
                if (set.EncodedLength > FrameLayout.MaxPayloadSize)
                {
                    Assert.Equal(SendResult.PayloadTooLarge, sent);
                    return;
                }

                Assert.Equal(SendResult.Queued, sent);
                byte[] frame = TakeFrame(sensor);
                MeshNode bridge = Receiver(key);
                Assert.Equal(RejectReason.None, bridge.Receive(frame, 0, frame.Length, -50, 0));
                MeshEvent e = new MeshEvent();
                Assert.True(bridge.TryTakeEvent(e));
                Assert.Equal(MessageType.Readings, e.Type);
                Assert.True(e.WasEncrypted); // readings are always device-sealed in v2, whatever EncryptPayloads says
                ReadingSet received = new ReadingSet();
                Assert.True(received.TryDecode(e.Payload, 0, e.PayloadLength));
                AssertItems(c.Items, received);
            });
        }

        /// <summary>
        /// PROTOCOL.md, "Decoding is total" step 13: an authentic frame whose payload does not parse for its
        /// type is rejected as MalformedPayload (and still relayed), not delivered. A readings payload must be
        /// "exactly as long as its items".
        /// </summary>
        [Theory]
        [InlineData("05")]                       // count 5, no items
        [InlineData("01016608")]                 // item cut short
        [InlineData("0108e8030000")]             // undefined quantity 8
        [InlineData("016600000000ff")]           // undefined quantity 0x66 ...
        [InlineData("0101660800000000")]         // trailing bytes after the items
        [InlineData("21")]                       // 33 items announced
        public void Authentic_readings_frame_whose_payload_does_not_parse_is_rejected_as_MalformedPayload(string payloadHex)
        {
            byte[] payload = Convert.FromHexString(payloadHex);
            Assert.False(new ReadingSet().TryDecode(payload, 0, payload.Length));

            byte[] frame = CoreSeal(Key(Secret), KnownHeader(), payload);
            MeshNode bridge = Receiver(Key(Secret));
            Assert.Equal(RejectReason.MalformedPayload, bridge.Receive(frame, 0, frame.Length, -50, 0));
            Assert.Equal(0, bridge.PendingEvents);
            Assert.Equal(1, bridge.PendingTransmits); // still relayed
        }

        // ------------------------------------------------------------------ heartbeat

        private static readonly Gen<HeartbeatCase> Heartbeats =
            from role in Gen.Choose(1, 4)
            from policy in Gen.Choose(1, 4)
            from counter in WireGen.AnyUShort
            from uptime in WireGen.AnyUInt
            from n in Gen.Choose(0, Heartbeat.MaxNeighbours)
            from neighbours in Gen.ArrayOf(
                from id in WireGen.AnyUInt
                from rssi in AnySByte
                from quality in WireGen.AnyByte
                select new NeighbourEntry(id, rssi, quality), n)
            select new HeartbeatCase((byte)role, (byte)policy, counter, uptime, neighbours);

        [Property(MaxTest = 500, Replay = "(2024,1111)")]
        public Property Heartbeat_encodes_and_decodes_to_the_same_fields_and_neighbour_list()
        {
            return Prop.ForAll(Heartbeats.ToArbitrary(), c =>
            {
                Heartbeat hb = new Heartbeat
                {
                    Role = (NodeRole)c.Role,
                    Policy = (PolicyKind)c.Policy,
                    Counter = c.Counter,
                    UptimeSeconds = c.Uptime,
                    NeighbourCount = c.Neighbours.Length,
                };
                for (int i = 0; i < c.Neighbours.Length; i++)
                {
                    hb.NeighbourIds[i] = c.Neighbours[i].Id;
                    hb.NeighbourRssi[i] = c.Neighbours[i].Rssi;
                    hb.NeighbourQuality[i] = c.Neighbours[i].Quality;
                }

                int length = Heartbeat.FixedSize + c.Neighbours.Length * Heartbeat.EntrySize;
                Assert.Equal(length, hb.EncodedLength);
                // A frame's payload (200 bytes) holds 31 neighbours next to no block (9 + 31 × 6 = 195); the codec takes
                // all 32 (201 bytes), which a node never lists (it keeps NeighbourCount within NeighbourRoom).
                Assert.Equal(31, hb.NeighbourRoom);
                Assert.Equal(c.Neighbours.Length <= hb.NeighbourRoom, length <= FrameLayout.MaxPayloadSize);
                byte[] buffer = new byte[2 + length];
                Assert.Equal(length, hb.Encode(buffer, 2));

                Heartbeat decoded = new Heartbeat();
                Assert.True(decoded.TryDecode(buffer, 2, length));
                Assert.Equal((NodeRole)c.Role, decoded.Role);
                Assert.Equal((PolicyKind)c.Policy, decoded.Policy);
                Assert.Equal(c.Counter, decoded.Counter);
                Assert.Equal(c.Uptime, decoded.UptimeSeconds);
                Assert.Equal(c.Neighbours.Length, decoded.NeighbourCount);
                for (int i = 0; i < c.Neighbours.Length; i++)
                {
                    Assert.Equal(c.Neighbours[i], new NeighbourEntry(decoded.NeighbourIds[i], decoded.NeighbourRssi[i], decoded.NeighbourQuality[i]));
                }

                Assert.False(decoded.TryDecode(buffer, 2, length - 1));
                Assert.Equal(0, decoded.NeighbourCount);
            });
        }

        [Property(MaxTest = 2000, Replay = "(99,101)")]
        public Property Heartbeat_any_byte_string_that_decodes_re_encodes_to_itself()
        {
            Gen<byte[]> shaped =
                from role in Gen.Choose(0, 5)
                from fixedTail in WireGen.Bytes(7, 7)
                from n in Gen.Choose(0, 34)
                from delta in Gen.Elements(-1, 0, 0, 0, 1)
                from entries in Gen.ArrayOf(WireGen.AnyByte, Math.Max(0, n * Heartbeat.EntrySize + delta))
                select new[] { (byte)role }.Concat(fixedTail).Concat(new[] { (byte)n }).Concat(entries).ToArray();
            return Prop.ForAll(shaped.ToArbitrary(), bytes =>
            {
                Heartbeat hb = new Heartbeat();
                if (!hb.TryDecode(bytes, 0, bytes.Length))
                {
                    Assert.Equal(0, hb.NeighbourCount);
                    return;
                }

                byte[] again = new byte[hb.EncodedLength];
                Assert.Equal(bytes.Length, hb.Encode(again, 0));
                Assert.Equal(Hex(bytes), Hex(again));
            });
        }

        // ------------------------------------------------------------------ command and ack

        private static readonly Gen<CommandCase> Commands =
            from id in WireGen.AnyUShort
            from kind in WireGen.AnyByte
            from counter in WireGen.AnyUInt
            from args in WireGen.Bytes(0, CommandCodec.MaxArgs)
            select new CommandCase(id, kind, counter, args);

        [Property(MaxTest = 500, Replay = "(12,35)")]
        public Property Command_encodes_and_reads_back_id_kind_counter_and_arguments()
        {
            return Prop.ForAll(Commands.ToArbitrary(), c =>
            {
                const int offset = 5;
                int length = CommandCodec.HeaderSize + c.Args.Length;
                byte[] argsBuffer = new byte[c.Args.Length + 4];
                c.Args.CopyTo(argsBuffer, 4);
                byte[] buffer = new byte[offset + length];
                Assert.Equal(length, CommandCodec.Encode(buffer, offset, c.Id, (CommandKind)c.Kind, c.Counter, argsBuffer, 4, c.Args.Length));

                Assert.True(CommandCodec.IsWellFormed(buffer, offset, length));
                Assert.Equal(c.Id, CommandCodec.CommandId(buffer, offset));
                Assert.Equal((CommandKind)c.Kind, CommandCodec.Kind(buffer, offset));
                Assert.Equal(c.Args.Length, CommandCodec.ArgLength(buffer, offset));
                Assert.Equal(c.Counter, CommandCodec.Counter(buffer, offset));
                Assert.Equal(c.Counter, LittleEndian.ReadUInt32(buffer, offset + 4)); // command id (2) kind (1) arg length (1) counter (4) args
                Assert.Equal(Hex(c.Args), Hex(buffer.AsSpan(offset + CommandCodec.HeaderSize).ToArray()));

                Assert.False(CommandCodec.IsWellFormed(buffer, offset, length - 1));
                byte[] longer = new byte[length + 1];
                Array.Copy(buffer, offset, longer, 0, length);
                Assert.False(CommandCodec.IsWellFormed(longer, 0, longer.Length));
            });
        }

        [Fact]
        public void Command_with_more_than_33_argument_bytes_or_under_8_bytes_is_not_well_formed()
        {
            Assert.Equal(8, CommandCodec.HeaderSize);
            Assert.Equal(33, CommandCodec.MaxArgs);
            byte[] args = new byte[40];
            byte[] buffer = new byte[CommandCodec.HeaderSize + 34];
            CommandCodec.Encode(buffer, 0, 1, CommandKind.Identify, 7, args, 0, 34);
            Assert.False(CommandCodec.IsWellFormed(buffer, 0, buffer.Length));
            byte[] largest = new byte[CommandCodec.HeaderSize + 33];
            CommandCodec.Encode(largest, 0, 1, CommandKind.Identify, 7, args, 0, 33);
            Assert.True(CommandCodec.IsWellFormed(largest, 0, largest.Length));
            for (int n = 0; n < CommandCodec.HeaderSize; n++)
            {
                Assert.False(CommandCodec.IsWellFormed(new byte[8], 0, n));
            }
        }

        [Property(MaxTest = 300, Replay = "(56,79)")]
        public Property Ack_encodes_to_four_bytes_and_is_well_formed_exactly_when_the_status_is_defined()
        {
            Gen<(ushort Id, byte Kind, byte Status)> acks =
                from id in WireGen.AnyUShort
                from kind in WireGen.AnyByte
                from status in WireGen.AnyByte
                select (id, kind, status);
            return Prop.ForAll(acks.ToArbitrary(), a =>
            {
                byte[] buffer = new byte[1 + AckCodec.Size];
                Assert.Equal(AckCodec.Size, AckCodec.Encode(buffer, 1, a.Id, (CommandKind)a.Kind, (CommandStatus)a.Status));
                Assert.Equal(a.Id, LittleEndian.ReadUInt16(buffer, 1));
                Assert.Equal(a.Kind, buffer[3]);
                Assert.Equal(a.Status, buffer[4]);
                Assert.Equal(a.Status <= (byte)CommandStatus.AlreadyExecuted, AckCodec.IsWellFormed(buffer, 1, AckCodec.Size));
                Assert.False(AckCodec.IsWellFormed(buffer, 1, AckCodec.Size - 1));
                Assert.False(AckCodec.IsWellFormed(new byte[8], 0, AckCodec.Size + 1));
            });
        }

        // ------------------------------------------------------------------ text

        private static readonly Gen<TextCase> Texts =
            from text in Gen.Frequency(
                (4, WireGen.Bytes(0, FrameLayout.MaxPayloadSize)),
                (1, Gen.Elements(0, 1, FrameLayout.MaxPayloadSize).SelectMany(n => Gen.ArrayOf(WireGen.AnyByte, n))))
            from encrypt in Gen.Elements(true, false)
            from destination in Gen.Choose(0, 2)
            select new TextCase(text, encrypt, destination);

        [Property(MaxTest = 200, Replay = "(4711,815)")]
        public Property Text_bytes_arrive_unchanged_for_every_length_and_destination()
        {
            return Prop.ForAll(Texts.ToArbitrary(), c =>
            {
                NetworkKey key = Key(Secret);
                MeshNode sender = Sender(key, c.Encrypt);
                MeshNode receiver = Receiver(key, requireEncryption: false);
                uint destination = c.DestinationKind switch
                {
                    0 => NodeAddress.Broadcast,
                    1 => NodeAddress.Gateways,
                    _ => receiver.NodeId,
                };

                byte[] source = new byte[c.Text.Length + 9];
                c.Text.CopyTo(source, 9);
                Assert.Equal(SendResult.Queued, sender.SendText(source, 9, c.Text.Length, destination, 0));
                byte[] frame = TakeFrame(sender);
                int flags = c.Encrypt ? FrameFlags.NetworkSealed : 0;
                Assert.Equal(FrameLayout.HeaderSize + c.Text.Length + FrameLayout.Trailer(flags), frame.Length);

                // On the wire: exactly the independent reference's frame (plain, or network-sealed SIV).
                RefHeader header = new RefHeader(flags, (byte)MessageType.Text, Network, NetworkKeyIndex, 0,
                    Origin, destination, Sequence, Time, HopLimit, 0, Origin, 0, SenderCost: 0xFFFF); // a sensor that does not route
                Assert.Equal(Hex(RefSeal(header, c.Text)), Hex(frame));
                Assert.True(MeshV2Reference.VerifyNetwork(Secret, frame));
                Assert.Equal(Hex(c.Text), Hex(RefOpen(frame)!));

                Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
                MeshEvent e = new MeshEvent();
                Assert.True(receiver.TryTakeEvent(e));
                Assert.Equal(MessageType.Text, e.Type);
                Assert.Equal(destination, e.Destination);
                Assert.Equal(c.Encrypt, e.WasEncrypted);
                Assert.Equal(Hex(c.Text), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
            });
        }

        [Fact]
        public void Text_longer_than_200_bytes_or_to_no_one_or_to_itself_is_refused()
        {
            MeshNode sender = Sender(Key(Secret), true);
            Assert.Equal(200, FrameLayout.MaxPayloadSize);
            Assert.Equal(SendResult.PayloadTooLarge, sender.SendText(new byte[201], 0, 201, NodeAddress.Broadcast, 0));
            Assert.Equal(SendResult.InvalidDestination, sender.SendText(new byte[1], 0, 1, NodeAddress.None, 0));
            Assert.Equal(SendResult.InvalidDestination, sender.SendText(new byte[1], 0, 1, Origin, 0));
            Assert.Equal(0, sender.PendingTransmits);
        }

        // ------------------------------------------------------------------ policy settings

        private static readonly Gen<PolicyCase> Policies =
            from kind in Gen.Choose(1, 4)
            from p in WireGen.AnyUShort
            from k in WireGen.AnyByte
            from cancel in WireGen.AnyByte
            from a in WireGen.AnyUShort
            from b in WireGen.AnyUShort
            from jitter in WireGen.AnyByte
            select new PolicyCase((byte)kind, p, k, cancel, Math.Min(a, b), Math.Max(a, b), jitter);

        private static PolicySettings ToSettings(PolicyCase c) => new PolicySettings
        {
            Kind = (PolicyKind)c.Kind,
            GossipProbability = c.Probability,
            GossipAlwaysHops = c.AlwaysHops,
            CancelThreshold = c.Cancel,
            MinDelayMs = c.MinDelay,
            MaxDelayMs = c.MaxDelay,
            JitterMs = c.Jitter,
        };

        private static void AssertSame(PolicySettings expected, PolicySettings actual)
        {
            Assert.Equal(expected.Kind, actual.Kind);
            Assert.Equal(expected.GossipProbability, actual.GossipProbability);
            Assert.Equal(expected.GossipAlwaysHops, actual.GossipAlwaysHops);
            Assert.Equal(expected.CancelThreshold, actual.CancelThreshold);
            Assert.Equal(expected.MinDelayMs, actual.MinDelayMs);
            Assert.Equal(expected.MaxDelayMs, actual.MaxDelayMs);
            Assert.Equal(expected.JitterMs, actual.JitterMs);
        }

        [Property(MaxTest = 500, Replay = "(65535,3)")]
        public Property PolicySettings_written_then_read_gives_back_every_field()
        {
            return Prop.ForAll(Policies.ToArbitrary(), c =>
            {
                PolicySettings written = ToSettings(c);
                byte[] buffer = new byte[4 + PolicySettings.EncodedSize];
                written.Write(buffer, 4);
                PolicySettings read = new PolicySettings();
                Assert.True(PolicySettings.TryRead(buffer, 4, PolicySettings.EncodedSize, read));
                AssertSame(written, read);
                AssertSame(written, written.Clone());
                Assert.False(PolicySettings.TryRead(buffer, 4, PolicySettings.EncodedSize - 1, new PolicySettings()));
            });
        }

        [Property(MaxTest = 500, Replay = "(17,19)")]
        public Property PolicySettings_with_an_undefined_kind_or_min_delay_above_max_is_refused_and_leaves_the_target_untouched()
        {
            Gen<(PolicyCase Case, byte BadKind, bool BreakKind)> bad =
                from c in Policies
                from badKind in Gen.Elements(0, 5, 6, 128, 255).Select(v => (byte)v)
                from breakKind in Gen.Elements(true, false)
                select (c, badKind, breakKind);
            return Prop.ForAll(bad.ToArbitrary(), t =>
            {
                PolicyCase c = t.BreakKind
                    ? t.Case with { Kind = t.BadKind }
                    : t.Case.MinDelay == t.Case.MaxDelay
                        ? t.Case with { MinDelay = 1, MaxDelay = 0 }
                        : t.Case with { MinDelay = t.Case.MaxDelay, MaxDelay = t.Case.MinDelay };
                byte[] buffer = new byte[PolicySettings.EncodedSize];
                ToSettings(c).Write(buffer, 0);
                PolicySettings target = PolicySettings.Gossip(0.5, 3);
                PolicySettings before = target.Clone();
                Assert.False(PolicySettings.TryRead(buffer, 0, buffer.Length, target));
                AssertSame(before, target);
            });
        }

        [Fact]
        public void PolicySettings_wire_layout_is_pinned()
        {
            PolicySettings s = new PolicySettings
            {
                Kind = PolicyKind.ManagedFlooding,
                GossipProbability = 0x1234,
                GossipAlwaysHops = 2,
                CancelThreshold = 3,
                MinDelayMs = 0x0102,
                MaxDelayMs = 0x0304,
                JitterMs = 9,
            };
            byte[] buffer = new byte[PolicySettings.EncodedSize];
            s.Write(buffer, 0);
            Assert.Equal("03" + "3412" + "02" + "03" + "0201" + "0403" + "09", Hex(buffer));
            Assert.Equal((ushort)32768, PolicySettings.ProbabilityToFixed(0.5));
            Assert.Equal((ushort)0, PolicySettings.ProbabilityToFixed(-1));
            Assert.Equal((ushort)65535, PolicySettings.ProbabilityToFixed(2));
        }
    }
}
