namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Per-origin fair share": a token bucket per origin in a fixed table. A bucket holds
    /// at most burst frames and refills at a rate of frames per minute (both times the gateway multiplier
    /// for origins noted as gateways); relaying one frame costs one token. Tokens are counted exactly in
    /// units of 1/60000 frame, so one millisecond at r frames a minute adds exactly r units. A new origin
    /// starts with a full bucket; when the table is full the entry with the most tokens (relative to its
    /// depth, ties to the lowest slot) is replaced, so a depleted bucket is never forgotten for a new
    /// origin. All buckets refill together from one time stamp.
    /// </summary>
    public sealed class FairShare
    {
        /// <summary>Token units per frame: a minute in milliseconds.</summary>
        public const int UnitsPerFrame = 60000;

        private readonly uint[] _origin;   // 0: free
        private readonly int[] _units;
        private readonly bool[] _gateway;
        private readonly ushort[] _throttledSinceBeacon;
        private readonly ushort[] _throttledSinceReport;
        private readonly int _rate;        // frames per minute = units per millisecond
        private readonly int _burstUnits;
        private readonly int _multiplier;
        private long _refilledMs;

        public FairShare(int slots, int framesPerMinute, int burst, int gatewayMultiplier, long nowMs)
        {
            _origin = new uint[slots];
            _units = new int[slots];
            _gateway = new bool[slots];
            _throttledSinceBeacon = new ushort[slots];
            _throttledSinceReport = new ushort[slots];
            _rate = framesPerMinute;
            _burstUnits = burst * UnitsPerFrame;
            _multiplier = gatewayMultiplier;
            _refilledMs = nowMs;
        }

        public int Capacity
        {
            get { return _origin.Length; }
        }

        /// <summary>Tokens <paramref name="origin"/> holds, in units of 1/60000 frame; -1 when it has no bucket.</summary>
        public int UnitsOf(uint origin, long nowMs)
        {
            Refill(nowMs);
            int s = Find(origin);
            return s < 0 ? -1 : _units[s];
        }

        /// <summary>
        /// Takes one frame's token from <paramref name="origin"/>'s bucket; false when it has none (the
        /// frame is throttled, and counted against the origin).
        /// </summary>
        public bool TryTake(uint origin, long nowMs)
        {
            return TryTake(origin, nowMs, UnitsPerFrame);
        }

        /// <summary>As <see cref="TryTake(uint, long)"/>, for a frame costing <paramref name="units"/> (control frames cost less; MeshNode.Qos).</summary>
        public bool TryTake(uint origin, long nowMs, int units)
        {
            Refill(nowMs);
            int s = Find(origin);
            if (s < 0)
            {
                s = Claim(origin, false);
            }

            if (_units[s] >= units)
            {
                _units[s] -= units;
                return true;
            }

            if (_throttledSinceBeacon[s] < ushort.MaxValue)
            {
                _throttledSinceBeacon[s]++;
            }

            if (_throttledSinceReport[s] < ushort.MaxValue)
            {
                _throttledSinceReport[s]++;
            }

            return false;
        }

        /// <summary>
        /// <paramref name="origin"/> advertised itself as a gateway: its bucket gets the gateway multiplier
        /// (an insider can claim this too; PROTOCOL.md lists the limit).
        /// </summary>
        public void NoteGateway(uint origin, long nowMs)
        {
            Refill(nowMs);
            int s = Find(origin);
            if (s < 0)
            {
                Claim(origin, true);
            }
            else
            {
                _gateway[s] = true;
            }
        }

        public bool IsGateway(uint origin)
        {
            int s = Find(origin);
            return s >= 0 && _gateway[s];
        }

        /// <summary>The origin throttled most since the last call (ties: lowest slot), 0 when none; resets the beacon window.</summary>
        public uint TakeMostThrottledSinceBeacon(out int count)
        {
            return TakeMost(_throttledSinceBeacon, out count);
        }

        /// <summary>As <see cref="TakeMostThrottledSinceBeacon"/>, over the heartbeat window.</summary>
        public uint TakeMostThrottledSinceReport(out int count)
        {
            return TakeMost(_throttledSinceReport, out count);
        }

        private uint TakeMost(ushort[] counts, out int count)
        {
            int best = -1;
            for (int i = 0; i < counts.Length; i++)
            {
                if (counts[i] > 0 && (best < 0 || counts[i] > counts[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                count = 0;
                return 0;
            }

            count = counts[best];
            uint origin = _origin[best];
            for (int i = 0; i < counts.Length; i++)
            {
                counts[i] = 0;
            }

            return origin;
        }

        private int Find(uint origin)
        {
            for (int i = 0; i < _origin.Length; i++)
            {
                if (_origin[i] == origin)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>A free slot, or the fullest bucket's (relative to its depth), given to <paramref name="origin"/> full.</summary>
        private int Claim(uint origin, bool gateway)
        {
            int best = -1;
            for (int i = 0; i < _origin.Length; i++)
            {
                if (_origin[i] == 0)
                {
                    best = i;
                    break;
                }

                if (best < 0 || Fullness(i) > Fullness(best))
                {
                    best = i;
                }
            }

            _origin[best] = origin;
            _gateway[best] = gateway;
            _units[best] = gateway ? _burstUnits * _multiplier : _burstUnits;
            _throttledSinceBeacon[best] = 0;
            _throttledSinceReport[best] = 0;
            return best;
        }

        // Tokens on the scale of a plain bucket: a gateway's bucket is multiplier times deeper.
        private int Fullness(int slot)
        {
            return _gateway[slot] ? _units[slot] / _multiplier : _units[slot];
        }

        private void Refill(long nowMs)
        {
            long elapsed = nowMs - _refilledMs;
            if (elapsed <= 0)
            {
                return;
            }

            _refilledMs = nowMs;
            // Beyond this every bucket is full anyway; it also keeps the products in range.
            long cap = (long)_burstUnits * _multiplier;
            long add = elapsed >= cap ? cap : elapsed * _rate;
            for (int i = 0; i < _origin.Length; i++)
            {
                if (_origin[i] == 0)
                {
                    continue;
                }

                long limit = _gateway[i] ? cap : _burstUnits;
                long v = _units[i] + (_gateway[i] ? add * _multiplier : add);
                _units[i] = (int)(v > limit ? limit : v);
            }
        }
    }
}
