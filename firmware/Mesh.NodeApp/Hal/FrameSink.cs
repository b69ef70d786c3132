namespace Mesh.NodeApp.Hal
{
    /// <summary>Where a radio driver hands each received frame (the node runner, or the serial bridge). False when it could not take it.</summary>
    public delegate bool FrameSink(byte[] frame, int offset, int length, int rssi);
}
