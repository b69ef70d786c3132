namespace Mesh.Protocol.Wire
{
    /// <summary>What a frame's payload holds. Values are wire constants; never renumber.</summary>
    public enum MessageType : byte
    {
        Readings = 1,
        Heartbeat = 2,
        Command = 3,
        Ack = 4,
        Text = 5,
    }

    public static class MessageTypes
    {
        public static bool IsDefined(int value)
        {
            return value >= (int)MessageType.Readings && value <= (int)MessageType.Text;
        }
    }
}
