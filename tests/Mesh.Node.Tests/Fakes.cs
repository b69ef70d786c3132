using System;
using System.Collections.Generic;
using Mesh.NodeApp.Hal;
using Mesh.Protocol.Messages;

namespace Mesh.Node.Tests
{
    // Fakes at the hardware seam only (dotnet/iot's SimulatedI2cDevice pattern): everything above them is the real code.

    public sealed class RecordingLog : ILog
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = new();

        public void Write(LogLevel level, string message) => Lines.Add((level, message));

        public string All => string.Join("\n", Lines.ConvertAll(l => l.Level + " " + l.Message));
    }

    public sealed class MemoryStore : IConfigStore
    {
        public byte[]? Data { get; set; }

        public bool Refuse { get; set; }

        public int Saves { get; private set; }

        public byte[]? Load() => Data;

        public bool Save(byte[] data, int length)
        {
            if (Refuse)
            {
                return false;
            }

            Data = data.AsSpan(0, length).ToArray();
            Saves++;
            return true;
        }

        public string Text => Data == null ? "" : System.Text.Encoding.UTF8.GetString(Data);
    }

    public sealed class ScriptedSensor : ISensor
    {
        private readonly Queue<object> _script = new();

        public ScriptedSensor(string name) => Name = name;

        public string Name { get; }

        public int MaxValues => 2; // a temperature, or ("half") a humidity

        public string? LastError { get; private set; }

        /// <summary>Next reads: a double (temperature), "fail:reason", "throw", or "half" (adds one item, then fails).</summary>
        public ScriptedSensor Then(params object[] steps)
        {
            foreach (object s in steps)
            {
                _script.Enqueue(s);
            }

            return this;
        }

        public bool TryRead(ReadingSet into)
        {
            object step = _script.Count > 0 ? _script.Dequeue() : 20.0;
            switch (step)
            {
                case double t:
                    LastError = null;
                    return into.Add(Quantity.Temperature, t);
                case "throw":
                    throw new InvalidOperationException("bus stuck");
                case "half":
                    into.Add(Quantity.Humidity, 50);
                    LastError = "CRC mismatch";
                    return false;
                case string s when s.StartsWith("fail:", StringComparison.Ordinal):
                    LastError = s[5..];
                    return false;
                default:
                    throw new ArgumentException("bad script step " + step);
            }
        }
    }

    public sealed class RecordingLed : IStatusLed
    {
        public List<LedPattern> Shown { get; } = new();

        public void Show(LedPattern pattern) => Shown.Add(pattern);
    }

    public sealed class RecordingDevice : IDeviceControl
    {
        public int Reboots { get; private set; }

        public int WatchdogFeeds { get; private set; }

        public void Reboot() => Reboots++;

        public void FeedWatchdog() => WatchdogFeeds++;
    }

    public sealed class FakeAdc : IAnalogInput
    {
        public int Raw { get; set; }

        public int MaxValue => 4095;

        public int ReadRaw() => Raw;
    }

    /// <summary>A radio that accepts every frame and keeps a copy of each.</summary>
    public sealed class RecordingRadio : IRadio
    {
        public List<byte[]> Sent { get; } = new();

        public string Name => "test";

        public bool Transmit(byte[] frame, int offset, int length)
        {
            Sent.Add(frame.AsSpan(offset, length).ToArray());
            return true;
        }
    }

    /// <summary>One device on <see cref="FakeI2cBus"/>: acknowledges (true) or NACKs (false) each transaction.</summary>
    public interface IFakeI2cDevice
    {
        bool OnWrite(byte[] data, int length);

        bool OnRead(byte[] into, int length);
    }

    /// <summary>An I2C bus with modelled devices at given addresses; transactions to an empty address are NACKed.</summary>
    public sealed class FakeI2cBus : II2cProbe
    {
        private readonly Dictionary<int, IFakeI2cDevice> _devices = new();

        public List<string> Transactions { get; } = new();

        /// <summary>A Bosch BMx280 with <paramref name="chipId"/> in register 0xD0.</summary>
        public FakeI2cBus With(int address, byte chipId) => With(address, new FakeBoschDevice(chipId));

        public FakeI2cBus With(int address, IFakeI2cDevice device)
        {
            _devices[address] = device;
            return this;
        }

        public bool TryWriteRead(int address, byte[] write, int writeLength, byte[] read, int readLength)
        {
            Transactions.Add("0x" + address.ToString("X2") + " w" + writeLength + " r" + readLength);
            if (!_devices.TryGetValue(address, out IFakeI2cDevice? device))
            {
                return false;
            }

            if (writeLength > 0 && !device.OnWrite(write, writeLength))
            {
                return false;
            }

            return readLength == 0 || device.OnRead(read, readLength);
        }
    }

    /// <summary>BME280/BMP280: a write sets the register pointer, reads return registers from there.</summary>
    public sealed class FakeBoschDevice : IFakeI2cDevice
    {
        private readonly byte[] _registers = new byte[256];
        private int _pointer;

        public FakeBoschDevice(byte chipId) => _registers[0xD0] = chipId;

        public bool OnWrite(byte[] data, int length)
        {
            _pointer = data[0];
            return true;
        }

        public bool OnRead(byte[] into, int length)
        {
            for (int i = 0; i < length; i++)
            {
                into[i] = _registers[(_pointer + i) & 0xFF];
            }

            return true;
        }
    }

    /// <summary>
    /// Sensirion SHT3x as its datasheet describes it: a read header is acknowledged only when a command has
    /// left data to read (an idle sensor NACKs it); 0xF32D leaves the status register and its CRC-8.
    /// </summary>
    public sealed class FakeSht3xDevice : IFakeI2cDevice
    {
        private byte[]? _pending;

        /// <summary>Corrupts the CRC it sends (a different chip answering at 0x44 would not compute it).</summary>
        public bool WrongCrc { get; init; }

        public bool OnWrite(byte[] data, int length)
        {
            if (length != 2)
            {
                return false;
            }

            _pending = data[0] == 0xF3 && data[1] == 0x2D ? new byte[] { 0x80, 0x10, WrongCrc ? (byte)0x00 : (byte)0xE1 } : null;
            return true;
        }

        public bool OnRead(byte[] into, int length)
        {
            if (_pending == null)
            {
                return false; // NACK: nothing to read
            }

            Array.Copy(_pending, into, Math.Min(length, _pending.Length));
            _pending = null;
            return true;
        }
    }

    /// <summary>Aosong AHT20: acknowledges reads and answers its status byte (calibrated, idle).</summary>
    public sealed class FakeAht20Device : IFakeI2cDevice
    {
        public bool OnWrite(byte[] data, int length) => true;

        public bool OnRead(byte[] into, int length)
        {
            into[0] = 0x18;
            return true;
        }
    }
}
