namespace Mesh.Protocol.Security
{
    /// <summary>
    /// The network keys a node holds and which one it transmits with, through the three phases of a key
    /// refresh (after Bluetooth Mesh's Key Refresh procedure; PROTOCOL.md, "Key refresh"):
    /// <list type="bullet">
    /// <item>Normal: one key, used to send and accepted.</item>
    /// <item>Phase 1 (new key distributed): both accepted, the old one still sent — nodes that have not
    /// received the new key yet keep hearing everything.</item>
    /// <item>Phase 2 (switch): both accepted, the new one sent.</item>
    /// <item>Phase 3 (revoke): the old key is dropped; the ring is back to Normal with the new key. A node
    /// evicted from the refresh never got the new key and from here on can neither inject nor read.</item>
    /// </list>
    /// </summary>
    public sealed class NetworkKeyRing
    {
        public const int PhaseNormal = 0;
        public const int PhaseDistributed = 1;
        public const int PhaseSwitched = 2;
        public const int PhaseRevoke = 3;

        private NetworkKey _current;
        private NetworkKey _next;
        private int _phase;

        public NetworkKeyRing(NetworkKey current)
        {
            if (current == null)
            {
                throw new System.ArgumentException("a network key is required");
            }

            _current = current;
        }

        public int Phase
        {
            get { return _phase; }
        }

        /// <summary>The key frames are sealed with now.</summary>
        public NetworkKey Transmit
        {
            get { return _phase == PhaseSwitched ? _next : _current; }
        }

        public NetworkKey Current
        {
            get { return _current; }
        }

        /// <summary>The key being introduced (phases 1 and 2), or null.</summary>
        public NetworkKey Next
        {
            get { return _next; }
        }

        /// <summary>The accepted key with this index, or null.</summary>
        public NetworkKey Find(int index)
        {
            if (_current.Index == index)
            {
                return _current;
            }

            return _next != null && _next.Index == index ? _next : null;
        }

        /// <summary>Phase 1: accept <paramref name="key"/> beside the current one. False if its index is in use.</summary>
        public bool Distribute(NetworkKey key)
        {
            if (key == null || key.Index == _current.Index)
            {
                return false;
            }

            _next = key;
            _phase = PhaseDistributed;
            return true;
        }

        /// <summary>Moves the refresh of key <paramref name="index"/> to <paramref name="phase"/> (2 or 3). False when it makes no sense here.</summary>
        public bool Advance(int index, int phase)
        {
            if (_next == null || _next.Index != index)
            {
                // Phase 3 for a key that is already current is a retry of a completed refresh.
                return phase == PhaseRevoke && _current.Index == index;
            }

            if (phase == PhaseSwitched)
            {
                _phase = PhaseSwitched;
                return true;
            }

            if (phase == PhaseRevoke)
            {
                _current = _next;
                _next = null;
                _phase = PhaseNormal;
                return true;
            }

            return false;
        }
    }
}
