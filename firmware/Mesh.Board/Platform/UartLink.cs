using System.IO.Ports;
using Mesh.NodeApp.Bridge;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// The bridge board's UART to the gateway (COM2; on an ESP32 DevKitC wire GPIO16/17 to a USB-UART, or use
    /// COM1, the USB port itself, when the debugger is not attached). Bytes from the gateway go to the bridge as
    /// they arrive; the bridge writes frames back.
    /// </summary>
    internal sealed class UartLink : ISerialLink
    {
        private readonly SerialPort _port;
        private readonly byte[] _buffer = new byte[256];
        private SerialBridge _bridge;

        public UartLink(string portName, int baudRate)
        {
            _port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One);
            _port.WriteTimeout = 1000;
            _port.DataReceived += OnDataReceived;
        }

        public void Open(SerialBridge bridge)
        {
            _bridge = bridge;
            _port.Open();
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
            while (_port.BytesToRead > 0)
            {
                int n = _port.Read(_buffer, 0, _buffer.Length);
                if (n <= 0)
                {
                    return;
                }

                _bridge.OnSerialBytes(_buffer, 0, n);
            }
        }
    }
}
