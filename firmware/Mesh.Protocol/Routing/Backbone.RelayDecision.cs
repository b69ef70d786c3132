namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The relay decision (Wu–Li Rule k, priority (strong degree, id)) over the strong neighbours and their
    /// beaconed lists.
    /// </summary>
    public sealed partial class Backbone
    {
        /// <summary>Strong neighbours: heard at ≥ 50 % and, once they beaconed, hearing us at ≥ 50 %; into _strong. Also the symmetric rows.</summary>
        private int FillStrong()
        {
            int count = 0;
            for (int w = 0; w < _words; w++)
            {
                _strong[w] = 0;
            }

            for (int s = 0; s < _capacity; s++)
            {
                // The well-heard set with the hysteresis of the last beacon, so a link near 50 % does not
                // flip the decision at every frame.
                if (!WellHeardSince(s, AdvertisedWell(s)) || (_beaconed[s] && _qOut[s] < StrongQuality))
                {
                    continue;
                }

                _strong[s >> 5] |= 1u << (s & 31);
                count++;
            }

            // Symmetric strong edges among the neighbours: u–w when each lists the other at ≥ 50 %.
            for (int u = 0; u < _capacity; u++)
            {
                int row = u * _words;
                for (int w = 0; w < _words; w++)
                {
                    _sym[row + w] = 0;
                }

                if (!_beaconed[u] || !Live(u))
                {
                    continue;
                }

                for (int v = 0; v < _capacity; v++)
                {
                    if (v != u && _beaconed[v] && Bit(_hears, row, v) && Bit(_hears, v * _words, u))
                    {
                        _sym[row + (v >> 5)] |= 1u << (v & 31);
                    }
                }
            }

            return count;
        }

        /// <summary>
        /// Wu–Li Rule k with priority (degree, id) on the strong links: this node is not a relay when its
        /// strong neighbours are pairwise joined (marking process), or when they are all covered by one
        /// connected set of strong neighbours that outrank it and relay; otherwise it is. With no strong
        /// neighbour it stays a relay (it knows too little to step back). True when the decision changed.
        /// </summary>
        public bool Decide(uint self, long nowMs)
        {
            _nowMs = nowMs;
            RelayDecisions++;
            bool before = _isRelay;
            _isRelay = ComputeRelay(self);
            return _isRelay != before;
        }

        private bool ComputeRelay(uint self)
        {
            int strong = FillStrong();
            if (strong == 0)
            {
                return true;
            }

            // Marking process: a node whose neighbours all hear each other joins no one.
            bool clique = true;
            for (int u = 0; u < _capacity && clique; u++)
            {
                if (!Bit(_strong, 0, u))
                {
                    continue;
                }

                for (int v = u + 1; v < _capacity; v++)
                {
                    if (Bit(_strong, 0, v) && !Bit(_sym, u * _words, v))
                    {
                        clique = false;
                        break;
                    }
                }
            }

            if (clique)
            {
                return false;
            }

            // The neighbours that outrank this node and can relay.
            for (int w = 0; w < _words; w++)
            {
                _higher[w] = 0;
                _seen[w] = 0;
            }

            for (int u = 0; u < _capacity; u++)
            {
                if (Bit(_strong, 0, u) && _beaconed[u] && _canRelay[u] && Outranks(_degree[u], _ids[u], _advertisedDegree, self))
                {
                    _higher[u >> 5] |= 1u << (u & 31);
                }
            }

            // Each connected component of them: does it cover every strong neighbour?
            for (int start = 0; start < _capacity; start++)
            {
                if (!Bit(_higher, 0, start) || Bit(_seen, 0, start))
                {
                    continue;
                }

                for (int w = 0; w < _words; w++)
                {
                    _component[w] = 0;
                }

                _component[start >> 5] |= 1u << (start & 31);
                bool grew = true;
                while (grew)
                {
                    grew = false;
                    for (int u = 0; u < _capacity; u++)
                    {
                        if (!Bit(_component, 0, u))
                        {
                            continue;
                        }

                        int row = u * _words;
                        for (int w = 0; w < _words; w++)
                        {
                            uint add = _sym[row + w] & _higher[w] & ~_component[w];
                            if (add != 0)
                            {
                                _component[w] |= add;
                                grew = true;
                            }
                        }
                    }
                }

                for (int w = 0; w < _words; w++)
                {
                    _seen[w] |= _component[w];
                    _covered[w] = _component[w];
                }

                for (int u = 0; u < _capacity; u++)
                {
                    if (Bit(_component, 0, u))
                    {
                        int row = u * _words;
                        for (int w = 0; w < _words; w++)
                        {
                            _covered[w] |= _sym[row + w];
                        }
                    }
                }

                bool all = true;
                for (int w = 0; w < _words; w++)
                {
                    if ((_strong[w] & ~_covered[w]) != 0)
                    {
                        all = false;
                    }
                }

                if (all)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
