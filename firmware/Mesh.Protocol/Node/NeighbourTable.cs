using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Tables;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Nodes heard directly, with a smoothed RSSI and a link quality estimated from gaps in the
    /// sequence numbers of the frames they originate (an exponentially weighted packet reception ratio, 0..255, as ETX-style estimators do).
    /// Entries expire when a neighbour falls silent.
    /// </summary>
    public sealed class NeighbourTable
    {
        /// <summary>Quality given to a neighbour before any of its heartbeats was heard.</summary>
        public const int InitialQuality = 128;

        private readonly KeySlots _slots;
        private readonly short[] _rssi;
        private readonly byte[] _quality;
        private readonly long[] _lastHeardMs;
        private readonly uint[] _lastSequence;
        private readonly long _expiryMs;

        public NeighbourTable(int capacity, long expiryMs)
        {
            _slots = new KeySlots(capacity);
            int n = _slots.Capacity;
            _rssi = new short[n];
            _quality = new byte[n];
            _lastHeardMs = new long[n];
            _lastSequence = new uint[n];
            _expiryMs = expiryMs;
        }

        public int Capacity
        {
            get { return _slots.Capacity; }
        }

        public void Heard(uint neighbour, int rssi, long nowMs)
        {
            Heard(neighbour, rssi, nowMs, 0);
        }

        /// <summary>A frame from <paramref name="neighbour"/>; a newcomer never recycles the entry of <paramref name="keep"/> (the parent; 0: none).</summary>
        public void Heard(uint neighbour, int rssi, long nowMs, uint keep)
        {
            bool claimed;
            int s = _slots.FindOrClaim(neighbour, keep, out claimed);
            if (claimed)
            {
                _rssi[s] = (short)rssi;
                _quality[s] = InitialQuality;
                _lastSequence[s] = 0; // 0: none heard yet (sequences start at 1)
            }
            else
            {
                // EWMA with weight 1/4 on the new sample.
                _rssi[s] = (short)((_rssi[s] * 3 + rssi) / 4);
            }

            _lastHeardMs[s] = nowMs;
        }

        /// <summary>
        /// Updates link quality from a frame the neighbour itself originated and transmitted (hops taken
        /// 0): gaps in its sequence numbers are frames of it this node missed. Every originated frame is
        /// a radio broadcast, so all of them count, not only heartbeats — and the sequence is in the
        /// header, which v2's device-sealed heartbeats no longer show to neighbours.
        /// </summary>
        public void OriginatedFrameHeard(uint neighbour, uint sequence)
        {
            int s = _slots.Find(neighbour);
            if (s < 0)
            {
                return;
            }

            int q = _quality[s];
            if (_lastSequence[s] != 0)
            {
                if (sequence <= _lastSequence[s])
                {
                    return; // out of order or a checkpoint-restarted origin: no information about loss
                }

                uint gap = sequence - _lastSequence[s];
                int missed = gap - 1 > 16 ? 16 : (int)(gap - 1);

                for (int i = 0; i < missed; i++)
                {
                    q = q * 7 / 8;
                }
            }

            q = (q * 7 + 255) / 8;
            _quality[s] = (byte)(q > 255 ? 255 : q);
            _lastSequence[s] = sequence;
        }

        /// <summary>Most a link can cost (8 transmissions): past that the link is as good as absent.</summary>
        public const int MaxLinkCost = 8 * RouteTable.HopCost;

        /// <summary>
        /// Expected transmissions to get a frame across the link to <paramref name="neighbour"/>, in
        /// route cost units (16 = one): 1 / reception ratio, from the quality this node measured. An unknown
        /// neighbour costs what <see cref="InitialQuality"/> gives (two transmissions).
        /// </summary>
        public int LinkCost(uint neighbour)
        {
            int s = _slots.Find(neighbour);
            int q = s >= 0 ? _quality[s] : InitialQuality;
            if (q * MaxLinkCost <= 255 * RouteTable.HopCost)
            {
                return MaxLinkCost;
            }

            return RouteTable.HopCost * 255 / q;
        }

        public bool IsKnown(uint neighbour)
        {
            return neighbour != 0 && _slots.Find(neighbour) >= 0;
        }

        public void Expire(long nowMs)
        {
            for (int s = 0; s < _slots.Capacity; s++)
            {
                if (_slots.IsUsed(s) && nowMs - _lastHeardMs[s] > _expiryMs)
                {
                    _slots.Release(s);
                }
            }
        }

        public int Count
        {
            get
            {
                int n = 0;
                for (int s = 0; s < _slots.Capacity; s++)
                {
                    if (_slots.IsUsed(s))
                    {
                        n++;
                    }
                }

                return n;
            }
        }

        public bool TryGet(uint neighbour, out int rssi, out int quality)
        {
            int s = _slots.Find(neighbour);
            rssi = s >= 0 ? _rssi[s] : 0;
            quality = s >= 0 ? _quality[s] : 0;
            return s >= 0;
        }

        /// <summary>Slot-level access for building heartbeats without allocation.</summary>
        public bool IsUsed(int slot)
        {
            return _slots.IsUsed(slot);
        }

        public uint IdAt(int slot)
        {
            return _slots.KeyAt(slot);
        }

        public int RssiAt(int slot)
        {
            return _rssi[slot];
        }

        public int QualityAt(int slot)
        {
            return _quality[slot];
        }
    }
}
