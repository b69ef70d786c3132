using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.NodeApp.Settings
{
    /// <summary>
    /// What differs between the boards hardware/README.md supports: the free pins (GPIO16/17 are PSRAM pins on
    /// WROVER modules and flash pins on the ESP32-C3, GPIO2 is a strapping pin on the C3) and the table sizes
    /// that leave enough managed heap (the ESP32-C3 image has about 54 KB, a plain ESP32 about 79 KB, PSRAM
    /// targets far more). The board picks one from nanoFramework's target name at boot and applies it before
    /// reading its settings file, so every value here can still be overridden there (pins) or is fixed per
    /// image (tables). The heap these sizes leave is measured and pinned in tests/Mesh.Node.Tests/BoardProfileTests.
    /// </summary>
    public sealed class BoardProfile
    {
        private BoardProfile(string name, int i2cData, int i2cClock, int led, int serialRx, int serialTx,
            int duplicates, int replay, int routes, int neighbours, int inbox, int transmit, int events, int recentCommands, int upwardSlots,
            int upwardBytes, PolicyKind policy)
        {
            UpwardSlots = upwardSlots;
            UpwardBytes = upwardBytes;
            Policy = policy;
            TransmitQueueSize = transmit;
            EventQueueSize = events;
            RecentCommandSlots = recentCommands;
            Name = name;
            I2cDataPin = i2cData;
            I2cClockPin = i2cClock;
            LedPin = led;
            SerialRxPin = serialRx;
            SerialTxPin = serialTx;
            DuplicateCacheSize = duplicates;
            ReplayTableSize = replay;
            RouteTableSize = routes;
            NeighbourTableSize = neighbours;
            InboxSlots = inbox;
        }

        /// <summary>Two full frames: the upward copies' bytes on boards without PSRAM (<see cref="UpwardBytes"/>).</summary>
        private const int TwoFrames = 2 * FrameLayout.MaxFrameSize;

        /// <summary>Which row of the table (for the log and the tests).</summary>
        public string Name { get; private set; }

        public int I2cDataPin { get; private set; }

        public int I2cClockPin { get; private set; }

        /// <summary>An external LED with a series resistor: none of the three DevKits has a plain user LED on a GPIO.</summary>
        public int LedPin { get; private set; }

        public int SerialRxPin { get; private set; }

        public int SerialTxPin { get; private set; }

        public int DuplicateCacheSize { get; private set; }

        public int ReplayTableSize { get; private set; }

        public int RouteTableSize { get; private set; }

        public int NeighbourTableSize { get; private set; }

        public int InboxSlots { get; private set; }

        public int TransmitQueueSize { get; private set; }

        public int EventQueueSize { get; private set; }

        public int RecentCommandSlots { get; private set; }

        /// <summary>
        /// Structured routing's upward-frame slots: 6 without PSRAM (the heap budget of structured routing was measured
        /// with 6, hardware/README), the core's 10 with it.
        /// </summary>
        public int UpwardSlots { get; private set; }

        /// <summary>
        /// Bytes the upward frames' copies share (NodeConfig.UpwardBytes): two full frames without PSRAM, where six
        /// 250-byte copies for 40–90-byte readings took 1.1 KB more (hardware/README, "Structured routing on a
        /// board"); the core's (48 slots in sixteen full frames' bytes) with it.
        /// </summary>
        public int UpwardBytes { get; private set; }

        /// <summary>
        /// The forwarding policy the board starts with (the settings file may name another): structured routing where
        /// it leaves the 15 KB after start-up — the ESP32 without PSRAM by the estimate, PSRAM boards by far — and
        /// managed flooding on the ESP32-C3, whose ~54 KB heap it does not fit, and on ESP32_S3_QUAD, whose heap
        /// without PSRAM no figure here gives (tests/Mesh.Node.Tests/Board/HeapBudgetTests).
        /// </summary>
        public PolicyKind Policy { get; private set; }

        /// <summary>
        /// ESP32-C3 DevKitM-1 (ESP32_C3): ~54 KB of managed heap, so the smallest tables. GPIO12–17 are flash pins.
        /// Three events, the least a node accepts: a command needs three at once (NodeConfig.Validate). A fourth
        /// only let one more one-event frame (a text) or the report due into the same step as a command; with
        /// three they wait for the next step (back-pressure: the frame is not recorded, so a later copy or a
        /// retry is taken; the report is raised at the next poll). Three queued transmissions, not four: each is a
        /// 250-byte buffer (276 B of heap), the last step to 15 KB left after start-up with the relay image
        /// (hardware/README.md); a frame that finds the queue full evicts a lower class or is dropped and counted,
        /// and in a flood the neighbours' copies cover it.
        /// </summary>
        public static BoardProfile Esp32C3()
        {
            return new BoardProfile("ESP32-C3", 5, 6, 10, 7, 3, 32, 8, 8, 8, 2, 3, 3, 4, 6, TwoFrames, PolicyKind.ManagedFlooding);
        }

        /// <summary>ESP32 DevKitC, WROOM module (ESP32_REV0 / ESP32_REV3): ~79 KB of managed heap. COM2 on GPIO26/25 (16/17 are PSRAM pins on WROVER).</summary>
        public static BoardProfile Esp32()
        {
            return new BoardProfile("ESP32", 21, 22, 2, 26, 25, 128, 32, 32, 16, 8, 8, 4, 8, 6, TwoFrames, PolicyKind.Structured);
        }

        /// <summary>ESP32 with PSRAM (ESP32_PSRAM_*, WROVER): the heap is in PSRAM, so the core's own table sizes.</summary>
        public static BoardProfile Esp32Psram()
        {
            return new BoardProfile("ESP32 (PSRAM)", 21, 22, 2, 26, 25, 256, 64, 64, 32, 16, 12, 6, 8, NodeConfig.DefaultUpwardSlots, NodeConfig.DefaultUpwardBytes, PolicyKind.Structured);
        }

        /// <summary>ESP32-S3 DevKitC-1 N8R8 (ESP32_S3_OCTAL): PSRAM heap, the core's table sizes. The on-board RGB LED needs a driver.</summary>
        public static BoardProfile Esp32S3Octal()
        {
            return new BoardProfile("ESP32-S3 (octal PSRAM)", 8, 9, 2, 18, 17, 256, 64, 64, 32, 16, 12, 6, 8, NodeConfig.DefaultUpwardSlots, NodeConfig.DefaultUpwardBytes, PolicyKind.Structured);
        }

        /// <summary>ESP32-S3 on ESP32_S3_QUAD (quad or no PSRAM): sized like a plain ESP32, since a board without PSRAM has no more heap than one.</summary>
        public static BoardProfile Esp32S3Quad()
        {
            return new BoardProfile("ESP32-S3 (quad/no PSRAM)", 8, 9, 2, 18, 17, 128, 32, 32, 16, 8, 8, 4, 8, 6, TwoFrames, PolicyKind.ManagedFlooding);
        }

        /// <summary>
        /// The profile for nanoFramework's target name (SystemInfo.TargetName, e.g. "ESP32_C3", "ESP32_S3_OCTAL",
        /// "ESP32_REV3"). An unknown ESP32 name gets the plain ESP32 row (its pins are the classic ones and its
        /// tables fit a non-PSRAM heap); null when the name is no ESP32 at all (the desktop keeps its defaults).
        /// </summary>
        public static BoardProfile ForTarget(string targetName)
        {
            if (targetName == null)
            {
                return null;
            }

            string t = targetName.ToUpper();
            if (!t.StartsWith("ESP32"))
            {
                return null;
            }

            if (t.StartsWith("ESP32_C3"))
            {
                return Esp32C3();
            }

            if (t.StartsWith("ESP32_S3"))
            {
                return t.IndexOf("OCTAL") >= 0 ? Esp32S3Octal() : Esp32S3Quad();
            }

            if (t.IndexOf("PSRAM") >= 0)
            {
                return Esp32Psram();
            }

            return Esp32();
        }

        /// <summary>Writes this board's pins and starting policy into <paramref name="s"/> (before the settings file is read over it).</summary>
        public void ApplyTo(NodeSettings s)
        {
            s.I2cDataPin = I2cDataPin;
            s.I2cClockPin = I2cClockPin;
            s.LedPin = LedPin;
            s.SerialRxPin = SerialRxPin;
            s.SerialTxPin = SerialTxPin;
            s.Policy.Kind = Policy;
        }

        /// <summary>This board's table sizes, for building its node (not kept afterwards: <see cref="NodeTables"/>).</summary>
        public NodeTables Tables()
        {
            var t = new NodeTables();
            t.DuplicateCacheSize = DuplicateCacheSize;
            t.ReplayTableSize = ReplayTableSize;
            t.RouteTableSize = RouteTableSize;
            t.NeighbourTableSize = NeighbourTableSize;
            t.InboxSlots = InboxSlots;
            t.TransmitQueueSize = TransmitQueueSize;
            t.EventQueueSize = EventQueueSize;
            t.RecentCommandSlots = RecentCommandSlots;
            t.UpwardSlots = UpwardSlots;
            t.UpwardBytes = UpwardBytes;
            return t;
        }
    }
}
