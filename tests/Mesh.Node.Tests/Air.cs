using System.Collections.Generic;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;

namespace Mesh.Node.Tests
{
    /// <summary>
    /// A lossless shared channel for NodeRunners in one test, on virtual time: what one node transmits every
    /// other node hears at RSSI -60. Stands in for the radio driver only; the runners are the real ones.
    /// </summary>
    public sealed class Air
    {
        public static readonly byte[] Key = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

        /// <summary>Every station's device key, derived from the network key as mesh-sim provisions; bridges and edges hold them all.</summary>
        public static readonly DerivedDeviceKeys DeviceKeys = new(Key, DesktopCrypto.Instance);

        private readonly List<Station> _stations = new();

        public long Now { get; private set; } = 1_000_000;

        public Station Add(uint id, NodeRole role, params ISensor[] sensors)
        {
            var settings = new NodeSettings { Key = Key, DeviceKey = DeviceKeys.SecretOf(id), Role = role, ReportIntervalSeconds = 10, HeartbeatIntervalSeconds = 60, SequenceStart = 1 };
            return Add(id, settings, sensors);
        }

        public Station Add(uint id, NodeSettings settings, params ISensor[] sensors)
        {
            var s = new Station(this, id, settings, sensors);
            _stations.Add(s);
            return s;
        }

        /// <summary>Steps every station until <paramref name="ms"/> of virtual time has passed (1 ms resolution where it matters).</summary>
        public void Run(long ms)
        {
            long end = Now + ms;
            while (Now < end)
            {
                long next = end;
                foreach (Station s in _stations)
                {
                    long wake = s.Runner.Step(Now);
                    if (wake < next)
                    {
                        next = wake;
                    }
                }

                // A frame in someone's inbox wakes them at once, as the radio driver's signal does.
                bool pending = false;
                foreach (Station s in _stations)
                {
                    pending |= s.Runner.Inbox.Count > 0;
                }

                if (!pending)
                {
                    Now = next > Now ? next : Now + 1;
                }
            }
        }

        internal void Broadcast(Station from, byte[] frame, int offset, int length)
        {
            foreach (Station s in _stations)
            {
                if (s != from && !s.Deaf)
                {
                    s.Runner.OnFrameReceived(frame, offset, length, -60);
                }
            }
        }

        public sealed class Station : IRadio
        {
            private readonly Air _air;

            internal Station(Air air, uint id, NodeSettings settings, ISensor[] sensors)
            {
                _air = air;
                Store = new MemoryStore();
                Log = new RecordingLog();
                Led = new RecordingLed();
                Device = new RecordingDevice();
                // The tests' commanders, standing in for a gateway, may send commands (a board sends none).
                var tables = new NodeTables { PendingCommandSlots = settings.Role == NodeRole.Bridge || settings.Role == NodeRole.Edge ? 4 : 0 };
                Runner = new NodeRunner(settings, tables, id, DesktopCrypto.Instance, new XorShiftRandom(id * 7919u + 1),
                    this, new SensorSet(sensors, Log), Led, Device, new SettingsStore(Store, Log), Log, air.Now,
                    settings.Role == NodeRole.Bridge || settings.Role == NodeRole.Edge ? DeviceKeys : null);
                Runner.MessageReceived = e =>
                {
                    if (e.Type == Mesh.Protocol.Wire.MessageType.Readings)
                    {
                        Received.Add((e.Origin, e.Sequence));
                    }
                };
            }

            public NodeRunner Runner { get; }

            public MemoryStore Store { get; }

            public RecordingLog Log { get; }

            public RecordingLed Led { get; }

            public RecordingDevice Device { get; }

            public List<(uint Origin, uint Sequence)> Received { get; } = new();

            public int Transmitted { get; private set; }

            /// <summary>The radio refuses to send (a broken antenna, a full driver queue).</summary>
            public bool Broken { get; set; }

            public bool Deaf { get; set; }

            public string Name => "air";

            public bool Transmit(byte[] frame, int offset, int length)
            {
                if (Broken)
                {
                    return false;
                }

                Transmitted++;
                _air.Broadcast(this, frame, offset, length);
                return true;
            }
        }
    }
}
