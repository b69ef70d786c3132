#if ESPNOW
using System;
using Mesh.NodeApp.Hal;
using nanoFramework.EspNow;

namespace Mesh.Board.Radio
{
    /// <summary>
    /// ESP-NOW broadcast (nanoframework/nanoFramework.EspNow): true device to device, no access point.
    /// Every frame goes to the broadcast peer FF:FF:FF:FF:FF:FF (which ESP-NOW cannot encrypt — the mesh's
    /// own MIC and payload encryption protect it). The managed API reports no RSSI, so received frames get a
    /// nominal one; managed flooding then uses its mid-range contention delay.
    /// Needs a nanoCLR build that includes the ESP-NOW native library, and nanoFramework.Runtime.Events 1.11.37 or
    /// later (EventCategory.EspNow) — hardware/README.md, "ESP-NOW".
    /// </summary>
    internal sealed class EspNowRadio : IBoardRadio
    {
        public const int NominalRssi = -70;

        // The library has no public broadcast-address constant (it only checks for one, to refuse encrypting it).
        private static readonly byte[] BroadcastMac = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

        private readonly EspNowController _controller;
        private readonly byte[] _scratch = new byte[250];
        private FrameSink _sink;

        public EspNowRadio(int channel)
        {
            _controller = new EspNowController();
            _controller.AddPeer(BroadcastMac, (byte)channel, false, null);
            _controller.DataReceived += OnDataReceived;
        }

        public string Name
        {
            get { return "espnow"; }
        }

        public void Start(FrameSink sink)
        {
            _sink = sink;
        }

        public bool Transmit(byte[] frame, int offset, int length)
        {
            byte[] data = frame;
            if (offset != 0)
            {
                Array.Copy(frame, offset, _scratch, 0, length);
                data = _scratch;
            }

            try
            {
                _controller.Send(BroadcastMac, data, length);
                return true;
            }
            catch (EspNowException)
            {
                return false;
            }
        }

        private void OnDataReceived(object sender, DataReceivedEventArgs e)
        {
            FrameSink sink = _sink;
            if (sink != null)
            {
                sink(e.Data, 0, e.DataLen, NominalRssi);
            }
        }
    }
}
#endif
