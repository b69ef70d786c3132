using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Messages
{
    /// <summary>Commands a gateway sends to one node. Values are wire constants; never renumber.</summary>
    public enum CommandKind : byte
    {
        /// <summary>Argument: u32 seconds between sensor reports (0 stops reporting). Handled by the core.</summary>
        SetReportInterval = 1,

        /// <summary>Argument: u16 seconds to blink the status LED. Handled by the application.</summary>
        Identify = 2,

        /// <summary>No argument. Handled by the application (which acks before restarting).</summary>
        Reboot = 3,

        /// <summary>Argument: the 10-byte policy settings. Handled by the core.</summary>
        SetForwardingPolicy = 4,

        /// <summary>No argument; answered by the core. Measures round trips.</summary>
        Ping = 5,

        /// <summary>Key refresh phase 1: index(u8) key(16 or 32 bytes). Handled by the core.</summary>
        SetNetworkKey = 6,

        /// <summary>Key refresh phases 2 and 3: index(u8) phase(u8). Handled by the core.</summary>
        KeyRefreshPhase = 7,

        /// <summary>Replaces this node's device key: index(u8) key(16 or 32 bytes). Handled by the core.</summary>
        SetDeviceKey = 8,
    }

    /// <summary>Outcome carried by an acknowledgement.</summary>
    public enum CommandStatus : byte
    {
        Ok = 0,
        Unsupported = 1,
        InvalidArgument = 2,
        Failed = 3,

        /// <summary>
        /// A retry of the command this node executed last, arriving after the node restarted and forgot
        /// the outcome: it is not executed again (PROTOCOL.md, "Command freshness").
        /// </summary>
        AlreadyExecuted = 4,
    }

    /// <summary>
    /// Command payload: command_id(u16) kind(u8) arg_len(u8) counter(u32) args. The id, chosen by the
    /// sender, ties retries (which travel under fresh sequence numbers) and the acknowledgement to one
    /// command. The counter is the commander's sequence number of the command's first transmission:
    /// strictly increasing per commander and the same on every retry, so the target — which persists the
    /// last counter it executed — never executes one command twice, however often it restarts.
    /// </summary>
    public static class CommandCodec
    {
        public const int HeaderSize = 8;
        public const int MaxArgs = 33;

        public static int Encode(byte[] b, int o, ushort commandId, CommandKind kind, uint counter, byte[] args, int argOffset, int argLength)
        {
            LittleEndian.WriteUInt16(b, o, commandId);
            b[o + 2] = (byte)kind;
            b[o + 3] = (byte)argLength;
            LittleEndian.WriteUInt32(b, o + 4, counter);
            if (argLength > 0)
            {
                System.Array.Copy(args, argOffset, b, o + HeaderSize, argLength);
            }

            return HeaderSize + argLength;
        }

        /// <summary>Validates the framing of a command payload (the kind may be application-defined).</summary>
        public static bool IsWellFormed(byte[] b, int o, int length)
        {
            return length >= HeaderSize && b[o + 3] <= MaxArgs && length == HeaderSize + b[o + 3];
        }

        public static ushort CommandId(byte[] b, int o)
        {
            return LittleEndian.ReadUInt16(b, o);
        }

        public static CommandKind Kind(byte[] b, int o)
        {
            return (CommandKind)b[o + 2];
        }

        public static int ArgLength(byte[] b, int o)
        {
            return b[o + 3];
        }

        public static uint Counter(byte[] b, int o)
        {
            return LittleEndian.ReadUInt32(b, o + 4);
        }

        public static bool IsHandledByCore(CommandKind kind)
        {
            return kind == CommandKind.SetReportInterval || kind == CommandKind.SetForwardingPolicy || kind == CommandKind.Ping
                || kind == CommandKind.SetNetworkKey || kind == CommandKind.KeyRefreshPhase || kind == CommandKind.SetDeviceKey;
        }
    }

    /// <summary>Acknowledgement payload: command_id(u16) kind(u8) status(u8).</summary>
    public static class AckCodec
    {
        public const int Size = 4;

        public static int Encode(byte[] b, int o, ushort commandId, CommandKind kind, CommandStatus status)
        {
            LittleEndian.WriteUInt16(b, o, commandId);
            b[o + 2] = (byte)kind;
            b[o + 3] = (byte)status;
            return Size;
        }

        public static bool IsWellFormed(byte[] b, int o, int length)
        {
            return length == Size && b[o + 3] <= (byte)CommandStatus.AlreadyExecuted;
        }
    }
}
