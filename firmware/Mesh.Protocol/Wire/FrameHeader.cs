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
        public uint Origin;
        public uint Destination;
        public uint Sequence;
        public int HopLimit;
        public int HopsTaken;
        public uint PreviousHop;
        public uint NextHop;
        public int PayloadLength;

        public bool IsEncrypted
        {
            get { return (Flags & FrameFlags.Encrypted) != 0; }
        }

        public int FrameLength
        {
            get { return FrameLayout.Overhead + PayloadLength; }
        }

        public void CopyFrom(FrameHeader other)
        {
            Flags = other.Flags;
            Type = other.Type;
            Network = other.Network;
            Origin = other.Origin;
            Destination = other.Destination;
            Sequence = other.Sequence;
            HopLimit = other.HopLimit;
            HopsTaken = other.HopsTaken;
            PreviousHop = other.PreviousHop;
            NextHop = other.NextHop;
            PayloadLength = other.PayloadLength;
        }
    }
}
