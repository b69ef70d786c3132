using System.IO.Ports;
using Mesh.NodeApp.Bridge;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// The bridge board's UART to the gateway (COM2, on the pins of the board's profile: serial_rx / serial_tx).
    /// Bytes from the gateway go to the bridge as they arrive — never more requested than is buffered
    /// (<see cref="SerialDrain"/>): on ESP32 a Read for more waits for it; the bridge writes frames back.
    /// </summary>
    internal sealed class UartLink : ISerialLink, ISerialSource
    {
        private readonly SerialPort _port;
        private readonly byte[] _buffer = new byte[256];
        private SerialBridge _bridge;

        public UartLink(string portName, int baudRate)
        {
            _port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One);
            _port.WriteTimeout = 1000;
            _port.ReadTimeout = 100; // a safety net only: SerialDrain never asks for bytes that are not buffered
            _port.DataReceived += OnDataReceived;
        }

        public int BytesToRead
        {
            get { return _port.BytesToRead; }
        }

        public void Open(SerialBridge bridge)
        {
            _bridge = bridge;
            _port.Open();
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            return _port.Read(buffer, offset, count);
        }

        public bool Write(byte[] data, int offset, int count)
        {
            try
            {
                _port.Write(data, offset, count);
                return true;
            }
            catch (System.Exception)
            {
                return false;
            }
        }

        private void OnDataReceived(object sender, SerialDataReceivedEventArgs e)
        {
            try
            {
                SerialDrain.Drain(this, _buffer, _bridge);
            }
            catch (System.Exception)
            {
                // A read timeout or a port error: the bytes stay buffered for the next event.
            }
        }
    }
}
