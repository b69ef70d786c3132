using System.Device.Wifi;
using System.Threading;
using Mesh.NodeApp.Hal;
using nanoFramework.Networking;

namespace Mesh.Board.Radio
{
    /// <summary>Joining WiFi with DHCP through nanoFramework's WifiNetworkHelper (retries and the watchdog: NodeApp's WifiJoin).</summary>
    internal sealed class WifiLink : IWifiLink
    {
        public string LastError { get; private set; }

        public bool Join(string ssid, string password, int timeoutMs)
        {
            CancellationTokenSource cts = new CancellationTokenSource(timeoutMs);
            bool ok = WifiNetworkHelper.ConnectDhcp(ssid, password, WifiReconnectionKind.Automatic, false, 0, cts.Token);
            LastError = ok ? null : WifiNetworkHelper.Status.ToString()
                + (WifiNetworkHelper.HelperException != null ? " (" + WifiNetworkHelper.HelperException.Message + ")" : "");
            return ok;
        }
    }
}
