using System.Linq;
using System.Text.Json;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Reads a node out of the gateway's <c>/api/nodes</c> answer.</summary>
    public static class NodeJson
    {
        /// <summary>Node <paramref name="id"/> in the array, or an undefined element when it is not listed.</summary>
        public static JsonElement Find(JsonElement nodes, uint id) => nodes.EnumerateArray().FirstOrDefault(n => n.GetProperty("node").GetUInt32() == id);

        /// <summary>How many neighbours the node's heartbeat said it knows (block 3); -1 when the node is missing or has not said.</summary>
        public static int NeighboursKnown(JsonElement node) =>
            node.ValueKind == JsonValueKind.Object && node.TryGetProperty("neighboursKnown", out JsonElement k) && k.ValueKind == JsonValueKind.Number ? k.GetInt32() : -1;
    }
}
