using Mesh.NodeApp.Hal;
using Mesh.Protocol.Serial;

namespace Mesh.NodeApp.Bridge
{
    /// <summary>
    /// The bridge board's job: a transparent radio for the gateway on USB serial. Every frame heard on the
    /// air goes to the gateway with its RSSI in exactly the gateway's framing (COBS + CRC-16, PROTOCOL.md
    /// "Serial link framing"); every valid frame from the gateway goes onto the air. The gateway is the mesh
    /// node (it authenticates, deduplicates, relays); the board adds nothing and filters nothing, so the
    /// two never disagree. Garbage on the line is skipped up to the next delimiter and counted.
    /// Each direction has its own buffers, so the radio thread and the serial thread never share one.
    /// </summary>
    public sealed class SerialBridge
    {
        private readonly IRadio _radio;
        private readonly ISerialLink _serial;
        private readonly ILog _log;
        private readonly byte[] _toSerial = new byte[SerialLayout.MaxEncodedSize];
        private readonly SerialFrameDecoder _decoder = new SerialFrameDecoder();
        private readonly object _radioSide = new object();
        private long _lastRejectLogged;

        public SerialBridge(IRadio radio, ISerialLink serial, ILog log)
        {
            _radio = radio;
            _serial = serial;
            _log = log;
        }

        public long FramesToGateway { get; private set; }

        public long FramesFromGateway { get; private set; }

        /// <summary>Frames the serial port or the radio refused.</summary>
        public long Failures { get; private set; }

        public SerialFrameDecoder Decoder
        {
            get { return _decoder; }
        }

        /// <summary>From the radio's thread: one frame heard on the air, to the gateway.</summary>
        public void OnRadioFrame(byte[] frame, int offset, int length, int rssi)
        {
            if (length < SerialLayout.MinFrameSize || length > SerialLayout.MaxFrameSize)
            {
                return;
            }

            lock (_radioSide)
            {
                int n = SerialFrameEncoder.Encode(frame, offset, length, rssi, _toSerial, 0);
                if (_serial.Write(_toSerial, 0, n))
                {
                    FramesToGateway++;
                }
                else
                {
                    Failures++;
                }
            }
        }

        /// <summary>From the serial port's thread: bytes from the gateway; each complete valid frame is transmitted.</summary>
        public void OnSerialBytes(byte[] data, int offset, int count)
        {
            while (count > 0)
            {
                int used = _decoder.Push(data, offset, count);
                offset += used;
                count -= used;
                if (_decoder.FrameAvailable)
                {
                    if (_radio.Transmit(_decoder.Frame, 0, _decoder.FrameLength))
                    {
                        FramesFromGateway++;
                    }
                    else
                    {
                        Failures++;
                    }
                }

                if (used == 0)
                {
                    break;
                }
            }

            long rejected = _decoder.RejectedTotal;
            if (rejected != _lastRejectLogged && _log != null)
            {
                _log.Write(LogLevel.Warning, "bridge: " + (rejected - _lastRejectLogged) + " malformed serial frame(s) skipped (last: " + _decoder.LastReject.ToString() + ")");
                _lastRejectLogged = rejected;
            }
        }
    }
}
