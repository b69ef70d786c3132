namespace Mesh.Protocol.Wire
{
    /// <summary>Reserved node ids. Real node ids are 1..0xFFFFFFFD (boards use the low 32 bits of their MAC).</summary>
    public static class NodeAddress
    {
        /// <summary>No node: "any relay" in the next-hop field.</summary>
        public const uint None = 0;

        /// <summary>Every node in the mesh.</summary>
        public const uint Broadcast = 0xFFFFFFFF;

        /// <summary>Every bridge and edge node (gateways and consumers); other nodes only relay.</summary>
        public const uint Gateways = 0xFFFFFFFE;

        public static bool IsValidNodeId(uint id)
        {
            return id != None && id != Broadcast && id != Gateways;
        }
    }
}
