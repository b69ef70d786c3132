namespace Mesh.Protocol
{
    /// <summary>
    /// Where the core gets randomness (jitter, gossip coin flips). The caller supplies it: a seeded
    /// generator in the simulator and tests, a hardware-seeded one on the board.
    /// </summary>
    public interface IRandomSource
    {
        /// <summary>A uniformly distributed 32-bit value.</summary>
        uint NextUInt32();
    }
}
