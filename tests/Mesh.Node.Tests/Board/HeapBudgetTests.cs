using Mesh.NodeApp.Settings;
using Mesh.Protocol.Forwarding;

namespace Mesh.Node.Tests.Board
{
    /// <summary>
    /// The managed heap each board has left after start-up, from figures measured on nanoFramework's POSIX nanoCLR
    /// (a copy of ../shared/tools/nanofw whose run.sh --posix also builds firmware/Mesh.Board.Relay and loads each
    /// Release image; its probe builds one NodeRunner per BoardProfile with the board's managed crypto and a
    /// settings store that, like the board's file store, keeps no copy of the settings text), measured 2026-12-01
    /// 07:21 UTC (first 2026-11-30 15:40). The host is 64-bit; an ESP32 is 32-bit. A node's 32-bit figure is computed on the interpreter
    /// itself: the probe runs on a second nanoCLR whose GC.Run walks the live heap and adds up what each block
    /// would take with 12-byte heap blocks (objects and reference arrays halve, primitive arrays and strings keep
    /// their bytes). The runtime tables are scaled the way hardware/README.md ("Managed heap after start-up")
    /// states: they lose half of their pointer-sized and heap-block parts and 72 B per assembly header, and gain
    /// 1 B per method (the debugger's per-method flags in firmware built with the debugger, as published firmware
    /// is). What this gives is an estimate, not a board measurement.
    /// If a profile or an image changes, re-run the tool and write the new figures here and in the guide.
    /// </summary>
    public class HeapBudgetTests
    {
        private const int Required = 15 * 1024;

        /// <summary>Threads (watchdog, LED, UDP receive), WiFi and socket objects, sensor bindings: not measured (no board here); an allowance.</summary>
        private const int BoardObjectsAllowanceBytes = 5 * 1024;

        /// <summary>Managed heap of the image: ~79 KB ESP32_REV0, ~54 KB ESP32_C3 (docs/architecture figures); PSRAM targets take it from PSRAM (megabytes).</summary>
        private const int Esp32HeapBytes = 79 * 1024;
        private const int Esp32C3HeapBytes = 54 * 1024;
        private const int PsramHeapBytes = 2 * 1024 * 1024;

        /// <summary>nanoCLR loading the 34 .pe files of the full Release image: "Total: (33224 RAM ...)", AssemblyRef 848 B, StaticFields 3264 B, 3996 methods.</summary>
        private static readonly int FullImageTables = Tables32(33224, 34, 848, 3264, 3996);

        /// <summary>
        /// The same for the relay image's 15 assemblies (firmware/Mesh.Board.Relay, without System.IO.Ports and
        /// nanoFramework.Hardware.Esp32 since 2026-12-01): "Total: (21160 RAM ...)", AssemblyRef 312 B, StaticFields
        /// 2136 B, 2800 methods. With those two it was 23,552 RAM, 17 assemblies, 3,056 methods (24,024 B on 32-bit).
        /// </summary>
        private static readonly int RelayImageTables = Tables32(21160, 15, 312, 2136, 2800);
        private static readonly int RelayImageTablesWithBridge = Tables32(23552, 17, 368, 2352, 3056);

        /// <summary>One node per profile, 32-bit as computed on the interpreter (probe: "node heap N bytes, 32-bit M bytes computed").</summary>
        private const int C3Node32 = 13092;      // 64-bit measured: 20,016 B (19,968 B before the duty-cycle rules of 2026-12-01 07:07) (14,964 / 22,560 B before 2026-12-01)
        private const int Esp32Node32 = 19356;   // 64-bit measured: 26,688 B
        private const int PsramNode64 = 35184;   // as measured (megabytes of heap: no scaling needed)

        /// <summary>
        /// Structured routing (policy 4), measured 2026-12-01 19:15 UTC the same way (the probe building each node with
        /// the board's profile and Structured(2); 0 bytes allocated in 300 s of traffic): ESP32 40,368 B on the
        /// 64-bit host, 29,664 B computed for 32-bit (+10,284 B over managed: byte[] 2,832, uint[] 1,812, ushort[]
        /// 2,136 — the backbone's link table — and the routing objects); C3 33,504 B, 23,208 B computed.
        /// BackboneNeighbours 16 instead of 32 saves 1,656 B, Backbone = false 4,476 B (bare MeshNodes).
        /// </summary>
        private const int Esp32StructuredNode32Measured = 29664;
        private const int C3StructuredNode32Measured = 23208;

        /// <summary>
        /// Since then (2026-12-02, a probe on the 64-bit POSIX nanoCLR building one node per profile and policy as
        /// Mesh.Board builds it, HEAD and the change side by side, 0 bytes allocated in 300 s of traffic): structured
        /// minus managed grew 96 B on the host (13,680 → 13,776 B: the upward-load state and Trickle's prompt time,
        /// object fields, which halve on 32-bit).
        /// </summary>
        private const int GrowthSinceMeasured32 = 48;

        /// <summary>
        /// Then the six upward copies went into one shared 500-byte buffer (NodeConfig.UpwardBytes) and the backbone's
        /// tags to the outsiders each neighbour lists, at most 16 (Backbone.ListedTags): 2,280 B less on the host for
        /// both boards (ESP32 38,448 → 36,168 B, C3 31,584 → 29,304 B; managed unchanged, 24,672 / 18,000 B). On
        /// 32-bit these are primitive arrays, which keep their bytes behind a 20-byte header in 12-byte blocks: the
        /// tags 2,076 → 1,044 B; the copies six 276-B arrays and their 96-B reference array → a 528-B array and a
        /// 48-B int[] of offsets: 2,208 B in all.
        /// </summary>
        private const int SharedCopiesAndTagsSaving32 = 2208;

        /// <summary>
        /// The Mesh assemblies' runtime tables since they were measured, on the host: Mesh.Protocol 3,404 → 3,428 B RAM,
        /// Mesh.NodeApp 2,196 → 2,228 B (56 B, 13 methods more: the shared upward copies, the backbone's tags, the
        /// profile's policy and NodeTables), and Mesh.Board's one method more (BoardTables, not loaded by the probe:
        /// 3 B by the MethodDef entries' 2 B and the debugger's 1): counted whole, plus 1 B per method.
        /// </summary>
        private const int TablesGrowth32 = 56 + 13 + 3;

        /// <summary>
        /// The settings object the runner keeps for ever lost its ten table sizes (2026-12-02: they are NodeTables now,
        /// read once and dropped): 1,536 → 1,272 B on the host with the eleventh, UpwardBytes, added and moved too;
        /// against the measured figures, ten 12-byte fields less on 32-bit, on every board and policy.
        /// </summary>
        private const int SettingsGrowth32 = -120;

        /// <summary>
        /// 2026-12-03 (stop 37): every structured relay keeps the table of the last 8 upward frames it relayed (RelayedUpward,
        /// before only with FallbackEcho), so a frame come round a loop is not acknowledged. Computed, not measured: four
        /// primitive arrays of 8 instead of 0 — two uint[8] 20 + 32 → 60 B, a byte[8] and a bool[8] 20 + 8 → 36 B, against
        /// four empty arrays of 24 B — 96 B more on 32-bit (80 B on the 64-bit host, RoutingStateSizeTests).
        /// </summary>
        private const int LoopReturnTable32 = 2 * 60 + 2 * 36 - 4 * 24;

        /// <summary>
        /// 2026-12-03 (stop 38): the node keeps how many neighbours its heartbeats list (MeshNode, every board and policy)
        /// and its config two new settings. Measured on the POSIX nanoCLR (`tools/nanofw/run.sh --posix`, the probe's
        /// nodes, caa4685 against 5687d50): 54,864 → 54,888 B and 33,480 → 33,504 B, 24 B a node.
        /// </summary>
        private const int HeartbeatNeighboursGrowth32 = 24;

        /// <summary>
        /// 2026-12-03 (stop 39): the heartbeat_neighbours setting (NodeSettings.HeartbeatNeighbours, its line in the settings
        /// text). Measured on the POSIX nanoCLR as above (the probe's nodes, 91be25a and its successors against 91f7106):
        /// 54,888 → 54,936 B and 33,504 → 33,552 B, 48 B a node, charged whole (one 12-byte field computed; the rest is
        /// the probe's longer settings text, charged although a board drops it after start-up).
        /// </summary>
        private const int HeartbeatNeighboursSetting32 = 48;

        /// <summary>The gradient's failed-parent silence (GradientTable, structured only; the probe's nodes are not): computed, one 12-byte heap block.</summary>
        private const int FailedParentSilenceField32 = 12;

        /// <summary>
        /// 2026-12-03 (stop 40): an origin's fallback flood rejoins the gradient and a node leaves a parent that retransmits
        /// its earlier copy; routing counts the floods rejoined, the copies stood down and the parents left (StructuredRouting,
        /// structured only): computed, three long fields, a 12-byte heap block each (the rejoin mark is a bit of a byte
        /// RelayedUpward already keeps).
        /// </summary>
        private const int FloodRejoinCounters32 = 3 * 12;

        private const int Esp32StructuredNode32 = Esp32StructuredNode32Measured + GrowthSinceMeasured32 - SharedCopiesAndTagsSaving32 + LoopReturnTable32 + FailedParentSilenceField32 + FloodRejoinCounters32;
        private const int C3StructuredNode32 = C3StructuredNode32Measured + GrowthSinceMeasured32 - SharedCopiesAndTagsSaving32 + LoopReturnTable32 + FailedParentSilenceField32 + FloodRejoinCounters32;

        /// <summary>sizeof(CLR_RT_Assembly): 200 B on the 64-bit host (the Total line less its tables, per assembly), 128 B on 32-bit (its fields counted).</summary>
        private static int Tables32(int total64, int assemblies, int assemblyRef64, int staticFields64, int methods) =>
            total64 - (assemblyRef64 / 2) - (staticFields64 / 2) - (assemblies * (200 - 128)) + methods;

        private static void AssertMeasuredConfiguration(BoardProfile p, int dup, int replay, int routes, int neighbours, int inbox, int transmit, int events, int recent)
        {
            Assert.Equal(
                new[] { dup, replay, routes, neighbours, inbox, transmit, events, recent },
                new[] { p.DuplicateCacheSize, p.ReplayTableSize, p.RouteTableSize, p.NeighbourTableSize, p.InboxSlots, p.TransmitQueueSize, p.EventQueueSize, p.RecentCommandSlots });
        }

        private static int LeftAfterStartUp(int heap, int tables, int nodeBytes) => heap - tables - nodeBytes - BoardObjectsAllowanceBytes;

        /// <summary>The figures measured before 2026-12-02 with what the code has added since (<see cref="TablesGrowth32"/>, <see cref="SettingsGrowth32"/>).</summary>
        private static int LeftToday(int heap, int tablesMeasured, int nodeBytes) => LeftAfterStartUp(heap, tablesMeasured + TablesGrowth32, nodeBytes + SettingsGrowth32 + HeartbeatNeighboursGrowth32 + HeartbeatNeighboursSetting32);

        [Fact]
        public void The_32_bit_estimates_are_the_ones_the_guide_shows()
        {
            Assert.Equal(32716, FullImageTables);   // ≈ 31.9 KB
            Assert.Equal(21656, RelayImageTables);  // ≈ 21.1 KB
        }

        [Fact]
        public void An_ESP32_without_PSRAM_keeps_at_least_15_KB_with_its_profile_and_the_full_image()
        {
            AssertMeasuredConfiguration(BoardProfile.Esp32(), 128, 32, 32, 16, 8, 8, 4, 8);
            AssertMeasuredConfiguration(BoardProfile.Esp32S3Quad(), 128, 32, 32, 16, 8, 8, 4, 8);
            int left = LeftToday(Esp32HeapBytes, FullImageTables, Esp32Node32);
            Assert.True(left >= Required, "ESP32: " + left + " bytes left");
            Assert.Equal(23680, left); // the guide: ≈ 23.2 KB estimated (23,704 B before 2026-12-02, 23,752 B before the heartbeat's neighbour limit, 23,728 B before the heartbeat_neighbours setting)
        }

        [Fact]
        public void PSRAM_boards_keep_the_core_table_sizes_with_room_to_spare()
        {
            AssertMeasuredConfiguration(BoardProfile.Esp32S3Octal(), 256, 64, 64, 32, 16, 12, 6, 8);
            AssertMeasuredConfiguration(BoardProfile.Esp32Psram(), 256, 64, 64, 32, 16, 12, 6, 8);
            Assert.True(LeftAfterStartUp(PsramHeapBytes, 33196, PsramNode64) >= Required);
        }

        /// <summary>
        /// Why an ESP32 without PSRAM starts with structured routing and the C3 with managed flooding
        /// (BoardProfile.Policy; the gateway defaults to structured routing): by this estimate an ESP32 keeps
        /// ≈ 15.0 KB with it (15,388 B, 28 B over the 15 KB; 15,424 B before stop 40's three routing counters, 15,472 B before stop 39's heartbeat_neighbours setting, 15,508 B before stop 38's 36 B, 15,604 B before the loop-return table; before the shared
        /// upward copies and the tag limit ≈ 13.1 KB), a C3 with the relay image ≈ 7.1 KB (7,304 B). PSRAM boards have megabytes.
        /// </summary>
        [Fact]
        public void Structured_routing_fits_the_15_KB_of_an_ESP32_without_PSRAM_but_not_a_C3()
        {
            // Measured with 6 upward slots sharing two full frames' bytes on the boards without PSRAM (the core: 10, a frame each).
            foreach (BoardProfile p in new[] { BoardProfile.Esp32(), BoardProfile.Esp32C3(), BoardProfile.Esp32S3Quad() })
            {
                Assert.Equal(6, p.UpwardSlots);
                Assert.Equal(500, p.UpwardBytes);
            }

            int esp32 = LeftToday(Esp32HeapBytes, FullImageTables, Esp32StructuredNode32);
            int c3 = LeftToday(Esp32C3HeapBytes, RelayImageTables, C3StructuredNode32);
            Assert.Equal(15388, esp32); // 15,604 B before the loop-return table (LoopReturnTable32), 15,508 B before stop 38's 36 B, 15,472 B before stop 39's setting, 15,424 B before stop 40's counters
            Assert.Equal(7304, c3);
            Assert.True(esp32 >= Required, "ESP32, structured: " + esp32 + " bytes left");
            Assert.True(c3 < Required);
            Assert.Equal(13396, LeftAfterStartUp(Esp32HeapBytes, FullImageTables, Esp32StructuredNode32Measured)); // the figure before

            Assert.Equal(PolicyKind.Structured, BoardProfile.Esp32().Policy);
            Assert.Equal(PolicyKind.ManagedFlooding, BoardProfile.Esp32C3().Policy);
        }

        /// <summary>
        /// The ESP32-C3 with the relay image keeps the 15 KB the issue asks for, by this estimate with 92 B to spare (116 B before stop 38's 24 B a node, 68 B
        /// before 2026-12-02 added 72 B of runtime tables and took 120 B of table sizes out of the settings object; the
        /// profile object, which no figure here ever charged, is garbage after start-up since then — a board's start-up
        /// log is the figure to trust):
        /// 2026-12-01 took the bridge's System.IO.Ports and nanoFramework.Hardware.Esp32 out of the relay image
        /// (2,405 B of tables on 32-bit when it was done), and from the node the commander state a board never uses, the heartbeat
        /// object and arrays, the 32-value reading set, a policy scratch, 48 words of SHA-256 schedule and one of
        /// four queued transmissions (1,896 B). With the full image the C3 keeps about 4.3 KB.
        /// </summary>
        [Fact]
        public void The_ESP32_C3_relay_image_keeps_at_least_15_KB()
        {
            AssertMeasuredConfiguration(BoardProfile.Esp32C3(), 32, 8, 8, 8, 2, 3, 3, 4);
            int relay = LeftToday(Esp32C3HeapBytes, RelayImageTables, C3Node32);
            int full = LeftToday(Esp32C3HeapBytes, FullImageTables, C3Node32);
            Assert.True(relay >= Required, "ESP32-C3, relay image: " + relay + " bytes left");
            Assert.Equal(15404, relay);   // the guide: ≈ 15.1 KB estimated (15,428 B before 2026-12-02's tables and settings, 15,476 B before the heartbeat's neighbour limit, 15,452 B before the heartbeat_neighbours setting)
            Assert.Equal(4344, full);     // ≈ 4.3 KB
            Assert.Equal(15428, LeftAfterStartUp(Esp32C3HeapBytes, RelayImageTables, C3Node32));
            Assert.Equal(2368, RelayImageTablesWithBridge - RelayImageTables); // 2,405 B when measured; the relay image has grown 37 B since
            Assert.Equal(11188, LeftAfterStartUp(Esp32C3HeapBytes, RelayImageTablesWithBridge, 14964)); // the figure before
        }
    }
}
