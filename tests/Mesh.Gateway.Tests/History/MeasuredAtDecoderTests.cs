using System;
using Mesh.Gateway.Model;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Tests.History
{
    /// <summary>Stored readings forwarded after a partition (PROTOCOL.md, "Measured at"): stamped with their measured-at time, published once.</summary>
    public sealed class MeasuredAtDecoderTests
    {
        private static MeshEvent Event(uint origin, uint sequence, ReadingSet set)
        {
            var e = new MeshEvent { Kind = MeshEventKind.Message, Type = MessageType.Readings, Origin = origin, Sequence = sequence, HopsTaken = 1 };
            e.PayloadLength = set.Encode(e.Payload, 0, e.Payload.Length);
            return e;
        }

        private static ReadingSet Stored(uint measuredAt, double celsius)
        {
            var set = new ReadingSet();
            set.SetMeasuredAt(measuredAt);
            set.Add(Quantity.Temperature, celsius);
            set.Add(Quantity.Humidity, 40);
            return set;
        }

        [Fact]
        public void A_measured_at_reading_takes_its_time_from_the_item_and_is_published_once()
        {
            var decoder = new MeshEventDecoder();
            DateTimeOffset arrival = DateTimeOffset.FromUnixTimeSeconds(1_800_000_600);
            uint measured = 1_800_000_000;

            var first = decoder.Readings(1, Event(7, 40, Stored(measured, 21.5)), arrival);
            Assert.Equal(2, first.Count); // the measured-at item is not a value
            Assert.All(first, r => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(measured), r.Timestamp));
            Assert.Equal("temperature", first[0].Quantity);
            Assert.Equal(21.5, first[0].Value);

            // The same triple again (a retransmitted store, new sequence): not published.
            Assert.Empty(decoder.Readings(1, Event(7, 41, Stored(measured, 21.5)), arrival));
            // Another node, another time or other values: published.
            Assert.Equal(2, decoder.Readings(1, Event(8, 41, Stored(measured, 21.5)), arrival).Count);
            Assert.Equal(2, decoder.Readings(1, Event(7, 42, Stored(measured + 60, 21.5)), arrival).Count);
            Assert.Equal(2, decoder.Readings(1, Event(7, 43, Stored(measured, 22.0)), arrival).Count);

            // A live reading (no measured-at item) keeps the arrival time and is never deduplicated.
            var live = new ReadingSet();
            live.Add(Quantity.Temperature, 21.5);
            Assert.Equal(arrival, Assert.Single(decoder.Readings(1, Event(7, 44, live), arrival)).Timestamp);
            Assert.Single(decoder.Readings(1, Event(7, 44, live), arrival));
        }

        [Fact]
        public void A_reading_that_arrives_directly_and_later_as_a_stored_copy_is_published_once()
        {
            // The origin heard a relay's fallback flood of its reading (which still reached this gateway)
            // and forwarded the reading again as a stored copy stamped with the frame's time.
            var decoder = new MeshEventDecoder();
            DateTimeOffset arrival = DateTimeOffset.FromUnixTimeSeconds(1_800_000_100);
            uint frameTime = 1_800_000_000;
            var live = new ReadingSet();
            live.Add(Quantity.Temperature, 21.5);
            live.Add(Quantity.Humidity, 40);
            MeshEvent direct = Event(7, 50, live);
            direct.FrameTime = frameTime;
            Assert.Equal(2, decoder.Readings(1, direct, arrival).Count);
            Assert.Empty(decoder.Readings(1, Event(7, 61, Stored(frameTime, 21.5)), arrival));

            // Live readings are never dropped, even the same values in the same second.
            MeshEvent again = Event(7, 51, live);
            again.FrameTime = frameTime;
            Assert.Equal(2, decoder.Readings(1, again, arrival).Count);
        }

        [Fact]
        public void The_memory_is_bounded_per_node()
        {
            var decoder = new MeshEventDecoder();
            DateTimeOffset arrival = DateTimeOffset.FromUnixTimeSeconds(1_800_100_000);
            for (uint i = 0; i <= MeshEventDecoder.RememberedPerNode; i++)
            {
                Assert.Equal(2, decoder.Readings(1, Event(7, i, Stored(1_800_000_000 + i * 60, 20)), arrival).Count);
            }

            // The newest are remembered; the oldest fell out of the bounded memory.
            Assert.Empty(decoder.Readings(1, Event(7, 100, Stored(1_800_000_000 + MeshEventDecoder.RememberedPerNode * 60, 20)), arrival));
            Assert.Equal(2, decoder.Readings(1, Event(7, 101, Stored(1_800_000_000, 20)), arrival).Count);
        }
    }
}
