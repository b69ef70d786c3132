using Mesh.NodeApp.Hal;

namespace Mesh.Board.Radio
{
    /// <summary>A board radio: transmits for the node, and hands what it hears to a sink once started.</summary>
    internal interface IBoardRadio : IRadio
    {
        void Start(FrameSink sink);
    }
}
