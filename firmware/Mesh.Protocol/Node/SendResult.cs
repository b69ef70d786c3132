namespace Mesh.Protocol.Node
{
    /// <summary>Why an application send was or was not queued. Nothing is dropped silently.</summary>
    public enum SendResult
    {
        Queued = 0,
        TransmitQueueFull = 1,
        PayloadTooLarge = 2,
        InvalidDestination = 3,
        SequenceExhausted = 4,
        NoCommandSlot = 5,
    }
}
