using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;

namespace Mesh.NodeApp.Settings
{
    /// <summary>
    /// Everything a node is configured with. Defaults are safe: a sensor that floods, reports every minute,
    /// on ESP-NOW channel 1, with the pins of an ESP32 DevKitC and the core's table sizes (a board applies its
    /// <see cref="BoardProfile"/> over these). Stored as text (<see cref="NodeSettingsText"/>).
    /// </summary>
    public sealed class NodeSettings
    {
        public const int DefaultReportIntervalSeconds = 60;

        /// <summary>0: derive from the board's MAC address (the driver does).</summary>
        public uint NodeId;

        public ushort NetworkId = 1;

        /// <summary>The network key; null until configured (a node without a key stays off the air).</summary>
        public byte[] Key;

        /// <summary>Index (0..15) of the network key, changed by a key refresh.</summary>
        public int KeyIndex;

        /// <summary>
        /// This node's device key, written by provisioning (`mesh-gateway provision`): seals its readings,
        /// heartbeats and acks end to end to the gateway, and authenticates the gateway's commands. Null:
        /// the node relays but sends no readings and obeys no command.
        /// </summary>
        public byte[] DeviceKey;

        public int DeviceKeyIndex;

        /// <summary>
        /// A network key received in a key refresh that is not current yet (phase 1 or 2), stored so that a
        /// node restarted mid-refresh still holds it: otherwise it comes back with the old key alone and is
        /// cut off at phase 3. Null outside a refresh.
        /// </summary>
        public byte[] NextKey;

        public int NextKeyIndex;

        /// <summary>1: distributed (accepted, not sent under); 2: switched (sent under).</summary>
        public int NextKeyPhase;

        /// <summary>Refuse text frames whose payload is not sealed.</summary>
        public bool RequireEncryption = true;

        /// <summary>Send frames queued for one next hop together in one radio frame (NodeConfig.BundleFrames; PROTOCOL.md "Bundles"). Off where the mesh still has nodes built before bundles.</summary>
        public bool BundleFrames = true;

        /// <summary>Network time (seconds) when last saved, so that a restarted node refuses frames older than it at once.</summary>
        public uint NetworkTime;

        /// <summary>Last command counter executed per commander, as pairs commander, counter (persisted so no command runs twice).</summary>
        public uint[] CommandCounters = new uint[0];

        /// <summary>
        /// Set when sequence_start was missing or damaged in the stored settings although a key was
        /// there: the node's past sequence numbers are unknown, so it jumps forward before it sends.
        /// </summary>
        public bool SequenceStartLost;

        public NodeRole Role = NodeRole.Sensor;

        public PolicySettings Policy = PolicySettings.Flooding();

        public int HopLimit = 8;

        /// <summary>
        /// Frames a minute this node relays for one origin (PROTOCOL.md, per-origin fair share). The same on
        /// every node of a mesh, about twice what one node sends a minute: raise it with the report interval.
        /// </summary>
        public int FairSharePerMinute = 6;

        public bool Encrypt = true;

        public RadioMode Radio = RadioMode.EspNow;

        /// <summary>WiFi channel 1..13 (ESP-NOW peers must share it).</summary>
        public int Channel = 1;

        public string WifiSsid = "";

        public string WifiPassword = "";

        /// <summary>UDP mode: the LAN mesh group and port (same defaults as the gateway).</summary>
        public string UdpGroup = "239.77.83.72";

        public int UdpPort = 47283;

        public int ReportIntervalSeconds = DefaultReportIntervalSeconds;

        public int HeartbeatIntervalSeconds = 300;

        /// <summary>Neighbours a heartbeat lists, best first (NodeConfig.HeartbeatNeighbours, 0..32); the core's default, as the simulator measured it.</summary>
        public int HeartbeatNeighbours = NodeConfig.DefaultHeartbeatNeighbours;

        /// <summary>Pins; -1: not connected.</summary>
        public int I2cDataPin = 21;

        public int I2cClockPin = 22;

        public int LedPin = 2;

        /// <summary>DHT22 data line, read through RMT (Iot.Device.Dhtxx.Esp32): the echo pin.</summary>
        public int DhtPin = -1;

        /// <summary>
        /// DHT22 trigger pin: Iot.Device.Dhtxx.Esp32 drives the start pulse on this GPIO and reads the answer on
        /// <see cref="DhtPin"/>; both are wired to the sensor's data line. -1 (or the same pin as DhtPin): the
        /// DHT22 is not read, and the board says why.
        /// </summary>
        public int DhtTriggerPin = -1;

        /// <summary>ADC channel of the battery divider; -1: no battery measurement.</summary>
        public int BatteryAdcChannel = -1;

        /// <summary>(R1 + R2) / R2 of the battery divider, in thousandths (2000: two equal resistors).</summary>
        public int BatteryDividerPermille = 2000;

        /// <summary>Bridge role: the UART to the gateway (COM2) and its speed.</summary>
        public int SerialBaudRate = 115200;

        /// <summary>Bridge role: COM2's pins. Per board (<see cref="BoardProfile"/>): no single pair is free on every ESP32.</summary>
        public int SerialRxPin = 16;

        public int SerialTxPin = 17;

        /// <summary>
        /// Where the node's frame sequence starts after a reboot: the core's checkpoint, saved whenever it
        /// moves, so a restarted node never reuses a sequence (its neighbours would drop it as a replay).
        /// </summary>
        public uint SequenceStart = 1;

        /// <summary>Readings from a simulated sensor when no real sensor is found.</summary>
        public bool SimulateWhenNoSensor = true;

        public NodeSettings Copy()
        {
            var c = (NodeSettings)MemberwiseClone();
            c.Key = Key == null ? null : (byte[])Key.Clone();
            c.DeviceKey = DeviceKey == null ? null : (byte[])DeviceKey.Clone();
            c.CommandCounters = (uint[])CommandCounters.Clone();
            c.Policy = Policy.Clone();
            return c;
        }
    }
}
