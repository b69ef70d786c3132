namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// Time a frame occupies the channel: AirtimeOverheadUs (preamble, PHY and MAC headers, link-layer
    /// ack and inter-frame spaces) plus AirtimeUsPerByte for every byte of the mesh frame.
    /// </summary>
    public sealed class Airtime
    {
        private readonly int _overheadUs;
        private readonly int _usPerByte;

        public Airtime(int overheadUs, int usPerByte)
        {
            _overheadUs = overheadUs;
            _usPerByte = usPerByte;
        }

        /// <summary>Microseconds on air of a frame of <paramref name="length"/> bytes (negative lengths count as 0).</summary>
        public int Of(int length)
        {
            return _overheadUs + (length < 0 ? 0 : length) * _usPerByte;
        }
    }
}
