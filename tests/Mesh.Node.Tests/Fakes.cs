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

    /// <summary>An I2C bus with devices at given addresses, each with a chip-id register value.</summary>
    public sealed class FakeI2cBus : II2cProbe
    {
        private readonly Dictionary<int, byte> _devices = new();

        public FakeI2cBus With(int address, byte chipId = 0)
        {
            _devices[address] = chipId;
            return this;
        }

        public bool Responds(int address) => _devices.ContainsKey(address);

        public bool TryReadRegister(int address, byte register, out byte value) => _devices.TryGetValue(address, out value);
    }
}
