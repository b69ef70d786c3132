using System;
using System.Device.I2c;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Sensors
{
    /// <summary>Probing I2C bus 1 of the ESP32 (pins set with Configuration.SetPinFunction before use).</summary>
    internal sealed class EspI2cBus : II2cProbe
    {
        public const int BusId = 1;

        private readonly byte[] _one = new byte[1];
        private readonly byte[] _register = new byte[1];

        public bool Responds(int address)
        {
            I2cDevice d = I2cDevice.Create(new I2cConnectionSettings(BusId, address));
            try
            {
                return d.Read(new SpanByte(_one)).Status == I2cTransferStatus.FullTransfer;
            }
            finally
            {
                d.Dispose();
            }
        }

        public bool TryReadRegister(int address, byte register, out byte value)
        {
            I2cDevice d = I2cDevice.Create(new I2cConnectionSettings(BusId, address));
            try
            {
                _register[0] = register;
                bool ok = d.WriteRead(new SpanByte(_register), new SpanByte(_one)).Status == I2cTransferStatus.FullTransfer;
                value = _one[0];
                return ok;
            }
            finally
            {
                d.Dispose();
            }
        }
    }
}
