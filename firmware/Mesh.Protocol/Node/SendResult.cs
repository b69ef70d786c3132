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

        /// <summary>The message must be sealed with a device key this node does not have (own, or the target's).</summary>
        NoDeviceKey = 6,

        /// <summary>
        /// The next sequence is not below a checkpoint the driver confirmed stored
        /// (<c>MeshNode.ConfirmCheckpoint</c>): sending could reuse a nonce after a reset.
        /// </summary>
        CheckpointPending = 7,
    }
}
