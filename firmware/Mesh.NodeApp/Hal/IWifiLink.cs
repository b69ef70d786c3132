namespace Mesh.NodeApp.Hal
{
    /// <summary>Joining a WiFi network (nanoFramework's WifiNetworkHelper.ConnectDhcp on the board).</summary>
    public interface IWifiLink
    {
        /// <summary>Joins and waits for an address; blocks up to <paramref name="timeoutMs"/>. False when not joined.</summary>
        bool Join(string ssid, string password, int timeoutMs);

        /// <summary>Why the last join failed, for the log (never the password).</summary>
        string LastError { get; }
    }
}
