using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Radio
{
    /// <summary>
    /// The LAN mesh over WiFi: UDP multicast on the group the gateway, the simulator and mesh-node use, so a
    /// board on a WiFi network joins a simulated or desktop mesh. Works on the stable nanoCLR firmware. Open
    /// it after the WiFi join (<see cref="WifiLink"/>).
    /// </summary>
    internal sealed class WifiUdpRadio : IBoardRadio
    {
        public const int NominalRssi = -50;

        private readonly ILog _log;
        private readonly IPEndPoint _group;
        private UdpClient _udp;
        private FrameSink _sink;

        public WifiUdpRadio(string group, int port, ILog log)
        {
            _log = log;
            _group = new IPEndPoint(IPAddress.Parse(group), port);
        }

        public string Name
        {
            get { return "udp " + _group.Address.ToString() + ":" + _group.Port; }
        }

        /// <summary>Binds the port and joins the multicast group (the network must be up).</summary>
        public void Open()
        {
            _udp = new UdpClient(_group.Port);
            _udp.JoinMulticastGroup(_group.Address);
            _log.Write(LogLevel.Info, "wifi: listening on " + Name);
        }

        public void Start(FrameSink sink)
        {
            _sink = sink;
            new Thread(Receive).Start();
        }

        public bool Transmit(byte[] frame, int offset, int length)
        {
            if (_udp == null)
            {
                return false;
            }

            try
            {
                _udp.Send(frame, offset, length, _group);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        private void Receive()
        {
            byte[] buffer = new byte[251]; // one more than a frame: an oversize datagram shows up as 251 and is dropped
            Socket socket = _udp.Client;
            while (true)
            {
                try
                {
                    // Socket.Receive, not UdpClient.Receive: the latter allocates a sender endpoint per datagram,
                    // and the mesh does not need to know who sent a frame.
                    int n = socket.Receive(buffer, 0, buffer.Length, SocketFlags.None);
                    if (n > 0 && n <= 250)
                    {
                        _sink(buffer, 0, n, NominalRssi);
                    }
                }
                catch (Exception ex)
                {
                    // A socket error must not kill the receive thread: log, wait, carry on.
                    _log.Write(LogLevel.Warning, "udp receive: " + ex.Message);
                    Thread.Sleep(500);
                }
            }
        }
    }
}
