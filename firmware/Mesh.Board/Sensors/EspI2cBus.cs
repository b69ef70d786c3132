using System;
using System.Device.I2c;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Sensors
{
    /// <summary>Probing I2C bus 1 of the ESP32 (pins set with Configuration.SetPinFunction before use) for the detector.</summary>
    internal sealed class EspI2cBus : II2cProbe
    {
        public const int BusId = 1;

        public bool TryWriteRead(int address, byte[] write, int writeLength, byte[] read, int readLength)
        {
            I2cDevice d = I2cDevice.Create(new I2cConnectionSettings(BusId, address));
            try
            {
                // Two transactions (write, stop, read), as the SHT3x datasheet shows its status-register read.
                if (writeLength > 0 && d.Write(new SpanByte(write, 0, writeLength)).Status != I2cTransferStatus.FullTransfer)
                {
                    return false;
                }

                return readLength == 0 || d.Read(new SpanByte(read, 0, readLength)).Status == I2cTransferStatus.FullTransfer;
            }
            finally
            {
                d.Dispose();
            }
        }
    }
}
