using System;
using System.Collections;
using Mesh.Protocol;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// The metrics calls one shard of a sharded run made during one window, to be replayed into the
    /// run's single collector in time order. Only the calls whose effect depends on order are logged
    /// (a message must be sent before it is delivered; the first delivery sets the latency); the
    /// shard's counters stay in its own collector and are summed at the end. A message's causes and
    /// effects in different shards are at least one window apart, so replaying window by window, in
    /// time order across shards, keeps every message's story in order.
    /// </summary>
    public sealed class MetricsLog
    {
        private enum Call : byte
        {
            Sent,
            Transmitted,
            Delivered,
        }

        /// <summary>One call, its arguments flattened (which fields mean what depends on the call).</summary>
        private struct Entry
        {
            public long TimeUs;
            public long Airtime;
            public BitArray? Reachable;
            public uint Origin;
            public uint Sequence;
            public uint Destination;
            public uint FrameTime;
            public ulong Head;
            public int Node;
            public int Length;
            public int Hops;
            public int Count;
            public int Alive;
            public Call What;
            public byte Class;
            public bool Flag;
        }

        private Entry[] _entries = new Entry[256];
        private int _count;
        private int _next;

        /// <summary>Calls logged and not yet replayed.</summary>
        public int Count => _count - _next;

        /// <summary>The time of the next call to replay (long.MaxValue when none is left).</summary>
        public long NextTimeUs => _next < _count ? _entries[_next].TimeUs : long.MaxValue;

        internal void Sent(MessageClass cls, uint origin, uint sequence, long nowUs, int aliveHonest,
            int shortestHops, BitArray? reachable, int reachableCount, bool cutOff, uint frameTime)
        {
            ref Entry e = ref Append(Call.Sent, nowUs);
            e.Class = (byte)cls;
            e.Origin = origin;
            e.Sequence = sequence;
            e.Alive = aliveHonest;
            e.Hops = shortestHops;
            e.Reachable = reachable;
            e.Count = reachableCount;
            e.Flag = cutOff;
            e.FrameTime = frameTime;
        }

        internal void Transmitted(int node, byte[] frame, int length, long nowUs, long airtimeUs)
        {
            ref Entry e = ref Append(Call.Transmitted, nowUs);
            e.Node = node;
            e.Length = length;
            e.Airtime = airtimeUs;
            if (length >= FrameLayout.MinFrameSize)
            {
                // What the collector reads of a frame: its type, origin, sequence and hops taken.
                e.Class = frame[FrameLayout.OffsetType];
                e.Origin = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetOrigin);
                e.Sequence = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence);
                e.Hops = frame[FrameLayout.OffsetHopsTaken];
            }
        }

        internal void Delivered(int node, bool honest, MeshEvent m, long nowUs)
        {
            ref Entry e = ref Append(Call.Delivered, nowUs);
            e.Node = node;
            e.Flag = honest;
            e.Class = (byte)m.Type;
            e.Origin = m.Origin;
            e.Destination = m.Destination;
            e.Sequence = m.Sequence;
            e.Hops = m.HopsTaken;
            e.Length = m.PayloadLength;
            // What the collector reads of a payload: a store-and-forward copy's measured-at item (6 bytes).
            ulong head = 0;
            for (int i = 0; i < 6 && i < m.PayloadLength; i++)
            {
                head |= (ulong)m.Payload[i] << (8 * i);
            }

            e.Head = head;
        }

        /// <summary>Replays the next call into <paramref name="target"/> (which records nothing).</summary>
        internal void ReplayNext(MetricsCollector target, MeshEvent scratch, byte[] header)
        {
            ref Entry e = ref _entries[_next++];
            switch (e.What)
            {
                case Call.Sent:
                    target.Sent((MessageClass)e.Class, e.Origin, e.Sequence, e.TimeUs, e.Alive, e.Hops, e.Reachable, e.Count, e.Flag, e.FrameTime);
                    break;
                case Call.Transmitted:
                    header[FrameLayout.OffsetType] = e.Class;
                    LittleEndian.WriteUInt32(header, FrameLayout.OffsetOrigin, e.Origin);
                    LittleEndian.WriteUInt32(header, FrameLayout.OffsetSequence, e.Sequence);
                    header[FrameLayout.OffsetHopsTaken] = (byte)e.Hops;
                    target.Transmitted(e.Node, header, e.Length, e.TimeUs, e.Airtime);
                    break;
                case Call.Delivered:
                    scratch.Type = (MessageType)e.Class;
                    scratch.Origin = e.Origin;
                    scratch.Destination = e.Destination;
                    scratch.Sequence = e.Sequence;
                    scratch.HopsTaken = e.Hops;
                    scratch.PayloadLength = e.Length;
                    for (int i = 0; i < 6; i++)
                    {
                        scratch.Payload[i] = (byte)(e.Head >> (8 * i));
                    }

                    target.DeliveredAt(e.Node, e.Flag, scratch, e.TimeUs);
                    break;
            }

            e.Reachable = null;
        }

        /// <summary>Forgets the replayed calls (between windows, when the shard is not logging).</summary>
        internal void Reset()
        {
            if (_next != _count)
            {
                throw new InvalidOperationException($"{_count - _next} metrics calls were never replayed");
            }

            _count = 0;
            _next = 0;
        }

        private ref Entry Append(Call what, long nowUs)
        {
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            ref Entry e = ref _entries[_count++];
            e = default;
            e.What = what;
            e.TimeUs = nowUs;
            return ref e;
        }
    }
}
