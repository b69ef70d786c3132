namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The broadcasts a backbone node is waiting on: coverage heard from distinct relayers, the first and
    /// second transmit slots, and what is still uncovered.
    /// </summary>
    public sealed partial class Backbone
    {
        // ---------------------------------------------------------------- broadcasts waiting

        /// <summary>The pending entry for (origin, sequence), or -1.</summary>
        public int Find(uint origin, uint sequence)
        {
            for (int p = 0; p < _pUsed.Length; p++)
            {
                if (_pUsed[p] && _pOrigin[p] == origin && _pSequence[p] == sequence)
                {
                    return p;
                }
            }

            return -1;
        }

        /// <summary>Takes a pending entry (a free one, else round robin: the oldest gives up its coverage tracking).</summary>
        public int Claim(uint origin, uint sequence, int firstSlot, int secondSlot)
        {
            int p = -1;
            for (int i = 0; i < _pUsed.Length; i++)
            {
                if (!_pUsed[i])
                {
                    p = i;
                    break;
                }
            }

            if (p < 0)
            {
                p = _pNext;
                _pNext = (_pNext + 1) % _pUsed.Length;
            }

            _pUsed[p] = true;
            _pOrigin[p] = origin;
            _pSequence[p] = sequence;
            _pFirst[p] = firstSlot;
            _pSecond[p] = secondSlot;
            _pFrom[p] = 0;
            for (int w = 0; w < _words; w++)
            {
                _pCovered[p * _words + w] = 0;
            }

            return p;
        }

        public void Release(int p)
        {
            _pUsed[p] = false;
        }

        public int FirstSlotOf(int p)
        {
            return _pFirst[p];
        }

        public int SecondSlotOf(int p)
        {
            return _pSecond[p];
        }

        /// <summary>The node whose copy this node took first (0 for its own broadcast).</summary>
        public uint FirstHeardFrom(int p)
        {
            return _pFrom[p];
        }

        public void SetFirstHeardFrom(int p, uint node)
        {
            _pFrom[p] = node;
        }

        public void SetFirst(int p, int slot)
        {
            _pFirst[p] = slot;
        }

        /// <summary>
        /// Marks entry p's first copy as a non-relay's fallback (for the counters). A fallback never has a second
        /// copy, so its second slot holds the mark (-2; any negative slot is none): no state of its own.
        /// </summary>
        public void SetFallback(int p)
        {
            _pSecond[p] = FallbackMark;
        }

        private const int FallbackMark = -2;

        /// <summary>Entry p's first copy was cancelled before leaving (as covered, or by the count heard): counted by kind.</summary>
        public void CountCancelled(int p, bool covered)
        {
            if (covered)
            {
                CancelledCovered++;
            }
            else
            {
                CancelledCounted++;
            }

            if (_pSecond[p] == FallbackMark)
            {
                FallbacksCancelled++;
            }
        }

        public void SetSecond(int p, int slot)
        {
            _pSecond[p] = slot;
        }

        public void ClearFirst(int p)
        {
            _pFirst[p] = -1;
        }

        /// <summary>
        /// A copy transmitted by <paramref name="transmitter"/> was heard: it and the strong neighbours it
        /// hears (both ways) count as covered for entry p. True when every strong neighbour of this node is
        /// now covered.
        /// </summary>
        public bool NoteCopy(int p, uint transmitter)
        {
            FillStrong();
            int s = SlotOf(transmitter);
            int at = p * _words;
            if (s >= 0)
            {
                _pCovered[at + (s >> 5)] |= 1u << (s & 31);
                if (_beaconed[s])
                {
                    for (int w = 0; w < _words; w++)
                    {
                        _pCovered[at + w] |= _sym[s * _words + w];
                    }
                }
            }

            // Neighbours that list the transmitter (they hear it well) are covered too, whether we keep it or not.
            bool all = true;
            for (int w = 0; w < _capacity; w++)
            {
                if (!Bit(_strong, 0, w) || Bit(_pCovered, at, w))
                {
                    continue;
                }

                if (_beaconed[w] && Lists(w, transmitter, s))
                {
                    _pCovered[at + (w >> 5)] |= 1u << (w & 31);
                }
                else
                {
                    all = false;
                }
            }

            return all;
        }

        /// <summary>Strong neighbours not covered yet for entry p (of <paramref name="strong"/> in all).</summary>
        public int Uncovered(int p, out int strong)
        {
            FillStrong();
            int at = p * _words;
            int n = 0;
            strong = 0;
            for (int s = 0; s < _capacity; s++)
            {
                if (Bit(_strong, 0, s))
                {
                    strong++;
                    if (!Bit(_pCovered, at, s))
                    {
                        n++;
                    }
                }
            }

            return n;
        }

        /// <summary>Whether a strong neighbour not covered yet for entry p advertises the backbone flag (it should forward what this node sends).</summary>
        public bool UncoveredRelayNeighbour(int p)
        {
            FillStrong();
            int at = p * _words;
            for (int s = 0; s < _capacity; s++)
            {
                if (Bit(_strong, 0, s) && !Bit(_pCovered, at, s) && _relayFlag[s] && _canRelay[s])
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Tooling view: strong neighbours now, and how many of them beaconed (their lists known).</summary>
        public int StrongNeighbours(out int beaconed)
        {
            FillStrong();
            int n = 0;
            beaconed = 0;
            for (int s = 0; s < _capacity; s++)
            {
                if (Bit(_strong, 0, s))
                {
                    n++;
                    if (_beaconed[s])
                    {
                        beaconed++;
                    }
                }
            }

            return n;
        }

        /// <summary>
        /// Tooling view of a kept neighbour: how well this node hears it (0–255), how well it says it hears this node
        /// (0 until it beaconed), whether it is a strong neighbour now and how many other members list it; -1s when not kept.
        /// </summary>
        public void Describe(uint id, out int quality, out int qualityFrom, out bool strong, out int listedBy)
        {
            FillStrong();
            int s = SlotOf(id);
            quality = s < 0 ? -1 : _quality[s];
            qualityFrom = s < 0 ? -1 : _qOut[s];
            strong = s >= 0 && Bit(_strong, 0, s);
            listedBy = s < 0 ? -1 : ListedBy(s);
        }

        /// <summary>Tooling view: whether <paramref name="id"/> holds a slot of this node's table (it is among the neighbours its decisions see).</summary>
        public bool Keeps(uint id)
        {
            return SlotOf(id) >= 0;
        }

        /// <summary>How many other members list slot s at ≥ 50 %.</summary>
        private int ListedBy(int s)
        {
            int n = 0;
            for (int r = 0; r < _capacity; r++)
            {
                if (r != s && _ids[r] != 0 && Bit(_hears, r * _words, s))
                {
                    n++;
                }
            }

            return n;
        }

        /// <summary>Test and tooling view: whether the neighbour in table slot s advertised the backbone flag.</summary>
        public bool NeighbourIsRelay(int s)
        {
            return _relayFlag[s];
        }
    }
}
