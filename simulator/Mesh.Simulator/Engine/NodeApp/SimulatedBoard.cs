using Mesh.NodeApp.Hal;

namespace Mesh.Simulator.Engine.NodeApp
{
    /// <summary>
    /// The rest of a board for the node application: an LED nobody looks at, a watchdog that never bites,
    /// flash in memory and a silent log. A reboot the gateway asks for is not simulated (the application
    /// acknowledges it and keeps running).
    /// </summary>
    public sealed class SimulatedBoard : IStatusLed, IDeviceControl, ILog, IConfigStore
    {
        private byte[]? _stored;

        public void Show(LedPattern pattern)
        {
        }

        public void Reboot()
        {
        }

        public void FeedWatchdog()
        {
        }

        public void Write(LogLevel level, string message)
        {
        }

        public byte[]? Load() => _stored;

        public bool Save(byte[] data, int length)
        {
            _stored = data[..length];
            return true;
        }
    }
}
