using Mesh.NodeApp.Hal;
using Mesh.Protocol.Wire;

namespace Mesh.Simulator.Engine.NodeApp
{
    /// <summary>
    /// The shipped node application's radio inside the simulator: frames the application hands over wait
    /// here, in order, as in a board's driver queue, until the simulator's CSMA puts them on the air.
    /// A full queue refuses the frame, which the application counts as a radio failure.
    /// </summary>
    public sealed class SimulatedRadio : IRadio
    {
        public const int Capacity = 16;

        private readonly byte[][] _frames = new byte[Capacity][];
        private readonly int[] _lengths = new int[Capacity];
        private int _head;
        private int _count;

        /// <summary>Called with every frame the application hands over (before it waits for the air).</summary>
        public System.Action<byte[], int>? Accepted { get; set; }

        public string Name => "simulated";

        public int Count => _count;

        public bool Transmit(byte[] frame, int offset, int length)
        {
            if (_count == Capacity || length > FrameLayout.MaxFrameSize)
            {
                return false;
            }

            int slot = (_head + _count) % Capacity;
            byte[] buffer = _frames[slot] ??= new byte[FrameLayout.MaxFrameSize];
            System.Array.Copy(frame, offset, buffer, 0, length);
            _lengths[slot] = length;
            _count++;
            Accepted?.Invoke(buffer, length);
            return true;
        }

        public bool TryTake(byte[] into, out int length)
        {
            if (_count == 0)
            {
                length = 0;
                return false;
            }

            length = _lengths[_head];
            System.Array.Copy(_frames[_head], into, length);
            _head = (_head + 1) % Capacity;
            _count--;
            return true;
        }
    }
}
