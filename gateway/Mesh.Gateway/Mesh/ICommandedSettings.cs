using Mesh.Protocol.Node;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Persists what commands to this gateway changed in its core (a gateway provisioned from another is
    /// commanded by it like a node: key refresh phases, its device key). Called on the mesh loop with each
    /// SettingsChanged event, before the acknowledgement of the command that caused it is transmitted.
    /// </summary>
    public interface ICommandedSettings
    {
        void Persist(MeshEvent settingsChanged);
    }
}
