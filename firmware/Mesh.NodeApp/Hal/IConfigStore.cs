namespace Mesh.NodeApp.Hal
{
    /// <summary>Where the node's settings live across reboots: a file in the board's internal flash, or on disk.</summary>
    public interface IConfigStore
    {
        /// <summary>The stored bytes, or null when nothing is stored (first boot) or the store cannot be read.</summary>
        byte[] Load();

        /// <summary>Replaces the stored settings. False (and nothing half-written) when the store refused.</summary>
        bool Save(byte[] data, int length);
    }
}
