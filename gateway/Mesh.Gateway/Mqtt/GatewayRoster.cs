using System;
using System.Collections.Generic;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// Several gateways on one mesh and one broker, each hearing the same readings: who publishes?
    /// Each gateway announces itself retained on &lt;prefix&gt;/&lt;network&gt;/gateway/&lt;id&gt;/status
    /// (last will "offline"), so every gateway knows the live set. For a reading from origin O, the live
    /// gateways are ranked by rendezvous hashing of (gateway, O): rank 0 publishes at once; rank r waits
    /// r × hold-off and publishes only if no gateway's message for (O, sequence) has appeared on the
    /// broker meanwhile (each gateway subscribes to the readings of the others, MQTT 5 no-local). A
    /// lone gateway is always rank 0 and never waits. If the rank-0 gateway did not hear the frame, the
    /// next one publishes it after one hold-off: nothing is lost, at the price of latency for that one.
    /// </summary>
    public sealed class GatewayRoster
    {
        private const int SeenCapacity = 65_536;
        private readonly object _lock = new();
        private readonly uint _self;
        private readonly SortedSet<uint> _live = new();
        private readonly HashSet<(uint, uint)> _seen = new();
        private readonly Queue<(uint, uint)> _seenOrder = new();

        public GatewayRoster(uint self, TimeSpan holdOff)
        {
            _self = self;
            HoldOff = holdOff;
            _live.Add(self);
        }

        public TimeSpan HoldOff { get; }

        public IReadOnlyCollection<uint> Live
        {
            get
            {
                lock (_lock)
                {
                    return new List<uint>(_live);
                }
            }
        }

        public void SetLive(uint gateway, bool online)
        {
            if (gateway == _self)
            {
                return;
            }

            lock (_lock)
            {
                if (online)
                {
                    _live.Add(gateway);
                }
                else
                {
                    _live.Remove(gateway);
                }
            }
        }

        /// <summary>This gateway's place among live gateways for readings from <paramref name="origin"/>: 0 publishes first.</summary>
        public int Rank(uint origin)
        {
            lock (_lock)
            {
                if (_live.Count == 1)
                {
                    return 0;
                }

                ulong mine = Score(_self, origin);
                int rank = 0;
                foreach (uint g in _live)
                {
                    if (g != _self && Score(g, origin) > mine)
                    {
                        rank++;
                    }
                }

                return rank;
            }
        }

        /// <summary>Records that (origin, sequence) is on the broker — published here or seen from another gateway.</summary>
        public void MarkPublished(uint origin, uint sequence)
        {
            lock (_lock)
            {
                if (!_seen.Add((origin, sequence)))
                {
                    return;
                }

                _seenOrder.Enqueue((origin, sequence));
                if (_seenOrder.Count > SeenCapacity)
                {
                    _seen.Remove(_seenOrder.Dequeue());
                }
            }
        }

        public bool WasPublished(uint origin, uint sequence)
        {
            lock (_lock)
            {
                return _seen.Contains((origin, sequence));
            }
        }

        // Rendezvous (highest random weight) hashing: a fixed, well-mixed function every gateway computes alike.
        internal static ulong Score(uint gateway, uint origin)
        {
            ulong x = ((ulong)gateway << 32) | origin;
            x ^= x >> 33;
            x *= 0xff51afd7ed558ccdUL;
            x ^= x >> 33;
            x *= 0xc4ceb9fe1a85ec53UL;
            x ^= x >> 33;
            return x;
        }
    }
}
