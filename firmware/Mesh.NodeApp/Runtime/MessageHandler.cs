using Mesh.Protocol.Node;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>An application message the node received (readings on an edge node, text, ...). The event is reused: copy what you keep.</summary>
    public delegate void MessageHandler(MeshEvent message);
}
