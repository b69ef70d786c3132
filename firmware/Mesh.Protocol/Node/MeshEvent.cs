using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>One event for the application, in a reusable holder the caller owns.</summary>
    public sealed class MeshEvent
    {
        public MeshEventKind Kind;
        public MessageType Type;
        public uint Origin;
        public uint Destination;
        public uint Sequence;
        public int HopsTaken;
        public uint PreviousHop;
        public int Rssi;
        public long TimeMs;

        /// <summary>The frame's network time (seconds) as its origin stamped it; 0 for local events. With the origin and the items it identifies a reading across store-and-forward copies.</summary>
        public uint FrameTime;
        public bool WasEncrypted;
        public readonly byte[] Payload = new byte[FrameLayout.MaxPayloadSize];
        public int PayloadLength;

        /// <summary>For command events: the command's id, kind, status, and (timeouts) the target node.</summary>
        public ushort CommandId;
        public CommandKind CommandKind;
        public CommandStatus CommandStatus;

        public void CopyFrom(MeshEvent other)
        {
            Kind = other.Kind;
            Type = other.Type;
            Origin = other.Origin;
            Destination = other.Destination;
            Sequence = other.Sequence;
            HopsTaken = other.HopsTaken;
            PreviousHop = other.PreviousHop;
            Rssi = other.Rssi;
            TimeMs = other.TimeMs;
            FrameTime = other.FrameTime;
            WasEncrypted = other.WasEncrypted;
            PayloadLength = other.PayloadLength;
            System.Array.Copy(other.Payload, 0, Payload, 0, other.PayloadLength);
            CommandId = other.CommandId;
            CommandKind = other.CommandKind;
            CommandStatus = other.CommandStatus;
        }
    }
}
