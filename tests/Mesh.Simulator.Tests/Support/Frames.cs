using Mesh.Protocol.Wire;

namespace Mesh.Simulator.Tests.Support
{
    /// <summary>Reads the clear-text header of a frame the simulator put on the air.</summary>
    public static class Frames
    {
        public static FrameHeader Header(byte[] frame, int length)
        {
            var h = new FrameHeader();
            RejectReason r = FrameCodec.TryDecode(frame, 0, length, h);
            Assert.True(r == RejectReason.None, $"a simulated node transmitted a frame that does not decode: {r}");
            return h;
        }
    }
}
