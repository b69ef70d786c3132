using Mesh.NodeApp.Settings;

namespace Mesh.Node.Tests.Board
{
    /// <summary>
    /// The managed heap each board has left after start-up, from figures measured on nanoFramework's POSIX nanoCLR
    /// (a copy of ../shared/tools/nanofw whose run.sh --posix also builds firmware/Mesh.Board.Relay and loads each
    /// Release image; its probe builds one NodeRunner per BoardProfile with the board's managed crypto and a
    /// settings store that, like the board's file store, keeps no copy of the settings text), measured 2026-11-30
    /// 15:40 UTC. The host is 64-bit; an ESP32 is 32-bit. A node's 32-bit figure is computed on the interpreter
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

        /// <summary>nanoCLR loading the 34 .pe files of the full Release image: "Total: (33144 RAM ...)", AssemblyRef 848 B, StaticFields 3264 B, 3970 methods.</summary>
        private static readonly int FullImageTables = Tables32(33144, 34, 848, 3264, 3970);

        /// <summary>The same for the relay image's 17 assemblies (firmware/Mesh.Board.Relay): "Total: (23552 RAM ...)", AssemblyRef 368 B, StaticFields 2352 B, 3056 methods.</summary>
        private static readonly int RelayImageTables = Tables32(23552, 17, 368, 2352, 3056);

        /// <summary>One node per profile, 32-bit as computed on the interpreter (probe: "node heap N bytes, 32-bit M bytes computed").</summary>
        private const int C3Node32 = 14964;      // 64-bit measured: 22,560 B
        private const int Esp32Node32 = 21096;   // 64-bit measured: 29,136 B
        private const int PsramNode64 = 37632;   // as measured (megabytes of heap: no scaling needed)

        /// <summary>
        /// The C3 node before this round (commit 5c66008, same probe and interpreter): 26,472 B measured with the old
        /// probe, whose store kept a copy of the settings text (18,084 B computed 32-bit), 25,656 B without it
        /// (17,280 B computed 32-bit). The guide's old 32-bit figure, 15,796 B, assumed 5 KB of byte arrays; the
        /// heap walk found 11 KB.
        /// </summary>
        private const int C3Node32Before = 17280;

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

        [Fact]
        public void The_32_bit_estimates_are_the_ones_the_guide_shows()
        {
            Assert.Equal(32610, FullImageTables);   // ≈ 31.8 KB
            Assert.Equal(24024, RelayImageTables);  // ≈ 23.5 KB
        }

        [Fact]
        public void An_ESP32_without_PSRAM_keeps_at_least_15_KB_with_its_profile_and_the_full_image()
        {
            AssertMeasuredConfiguration(BoardProfile.Esp32(), 128, 32, 32, 16, 8, 8, 4, 8);
            AssertMeasuredConfiguration(BoardProfile.Esp32S3Quad(), 128, 32, 32, 16, 8, 8, 4, 8);
            int left = LeftAfterStartUp(Esp32HeapBytes, FullImageTables, Esp32Node32);
            Assert.True(left >= Required, "ESP32: " + left + " bytes left");
            Assert.Equal(22070, left); // the guide: ≈ 21.6 KB estimated
        }

        [Fact]
        public void PSRAM_boards_keep_the_core_table_sizes_with_room_to_spare()
        {
            AssertMeasuredConfiguration(BoardProfile.Esp32S3Octal(), 256, 64, 64, 32, 16, 12, 6, 8);
            AssertMeasuredConfiguration(BoardProfile.Esp32Psram(), 256, 64, 64, 32, 16, 12, 6, 8);
            Assert.True(LeftAfterStartUp(PsramHeapBytes, 33144, PsramNode64) >= Required);
        }

        /// <summary>
        /// The ESP32-C3 with the relay image: this round's node changes (shared SHA-256 work state, events handled
        /// and frames sent in place, 3 events) gave it 2.3 KB, and it still keeps less than 15 KB by this estimate;
        /// the guide says so. If the last assertion starts failing, the C3 got roomier: update hardware/README.md,
        /// "Managed heap after start-up".
        /// </summary>
        [Fact]
        public void The_ESP32_C3_relay_image_keeps_about_11_KB_and_the_guide_is_right_that_it_stays_under_15_KB()
        {
            AssertMeasuredConfiguration(BoardProfile.Esp32C3(), 32, 8, 8, 8, 2, 3, 3, 4);
            int full = LeftAfterStartUp(Esp32C3HeapBytes, FullImageTables, C3Node32);
            int relay = LeftAfterStartUp(Esp32C3HeapBytes, RelayImageTables, C3Node32);
            int relayBefore = LeftAfterStartUp(Esp32C3HeapBytes, RelayImageTables, C3Node32Before);
            Assert.Equal(2602, full);     // ≈ 2.5 KB
            Assert.Equal(11188, relay);   // ≈ 10.9 KB
            Assert.Equal(8872, relayBefore);
            Assert.True(relay - relayBefore >= 2300);
            Assert.True(relay < Required, "the C3 now keeps " + relay + " bytes with the relay image: update hardware/README.md, \"Managed heap after start-up\"");
        }
    }
}
