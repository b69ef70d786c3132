namespace Mesh.Protocol.Wire
{
    /// <summary>
    /// The decoded fixed header of one frame. A reusable holder: the codec fills an instance the caller
    /// owns, so decoding allocates nothing.
    /// </summary>
    public sealed class FrameHeader
    {
        public int Flags;
        public MessageType Type;
        public ushort Network;
        // Both key indices in one field, as in the key byte (low nibble network, high nibble device): on nanoFramework
        // every field of an object is a 12-byte heap block, and a node keeps two headers, so this pays for SenderCost.
        private int _keyIndices;

        /// <summary>The network key index, 0 … 15.</summary>
        public int NetworkKeyIndex
        {
            get { return _keyIndices & 0x0F; }
            set { _keyIndices = (_keyIndices & 0xF0) | (value & 0x0F); }
        }

        /// <summary>The device key index, 0 … 15.</summary>
        public int DeviceKeyIndex
        {
            get { return _keyIndices >> 4; }
            set { _keyIndices = (_keyIndices & 0x0F) | ((value & 0x0F) << 4); }
        }
        public uint Origin;
        public uint Destination;
        public uint Sequence;
        public uint Time;
        public int HopLimit;
        public int HopsTaken;
        public uint PreviousHop;
        public uint NextHop;

        /// <summary>The transmitter's advertised cost when it sent this copy (<see cref="FrameLayout.OffsetSenderCost"/>); no route unless set.</summary>
        public int SenderCost = Messages.Beacon.NoCost;
        public int PayloadLength;

        public bool IsDeviceSealed
        {
            get { return (Flags & FrameFlags.DeviceSealed) != 0; }
        }

        public bool IsNetworkSealed
        {
            get { return (Flags & FrameFlags.NetworkSealed) != 0; }
        }

        public bool IsDownlink
        {
            get { return (Flags & FrameFlags.Downlink) != 0; }
        }

        /// <summary>Whether the payload is encrypted and authenticated end to end (either sealing).</summary>
        public bool IsEncrypted
        {
            get { return (Flags & FrameFlags.PayloadSealed) != 0; }
        }

        /// <summary>The node whose device key seals the payload (DeviceSealed frames only).</summary>
        public uint DeviceKeyOwner
        {
            get { return IsDownlink ? Destination : Origin; }
        }

        public int FrameLength
        {
            get { return FrameLayout.HeaderSize + PayloadLength + FrameLayout.Trailer(Flags); }
        }

        /// <summary>Offset of the network MIC from the start of the frame.</summary>
        public int NetMicOffset
        {
            get { return FrameLength - FrameLayout.NetMicSize; }
        }

        public void CopyFrom(FrameHeader other)
        {
            Flags = other.Flags;
            Type = other.Type;
            Network = other.Network;
            _keyIndices = other._keyIndices;
            Origin = other.Origin;
            Destination = other.Destination;
            Sequence = other.Sequence;
            Time = other.Time;
            HopLimit = other.HopLimit;
            HopsTaken = other.HopsTaken;
            PreviousHop = other.PreviousHop;
            NextHop = other.NextHop;
            SenderCost = other.SenderCost;
            PayloadLength = other.PayloadLength;
        }
    }
}
