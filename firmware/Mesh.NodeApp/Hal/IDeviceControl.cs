namespace Mesh.NodeApp.Hal
{
    /// <summary>The few things only the platform can do to itself.</summary>
    public interface IDeviceControl
    {
        /// <summary>Restarts the board (or, on the desktop, asks the process to stop).</summary>
        void Reboot();

        /// <summary>Tells the watchdog the main loop is alive.</summary>
        void FeedWatchdog();
    }
}
