using Mesh.Simulator.Radio;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Tests.Knobs
{
    /// <summary>LoRa time on air against the Semtech calculator's published values.</summary>
    public class LoraAirtimeTests
    {
        [Theory]
        // SF7, 125 kHz, 4/5, 8-symbol preamble, explicit header, CRC: 10 bytes take 41.216 ms.
        [InlineData(7, 125_000, 5, 8, 10, 41_216)]
        // SF12, 125 kHz: low-data-rate optimisation switches on (32.8 ms symbols); 51 bytes take 2,465.792 ms.
        [InlineData(12, 125_000, 5, 8, 51, 2_465_792)]
        // Meshtastic LongFast (SF11, 250 kHz, 4/5, 16-symbol preamble): 50 bytes take 641.024 ms.
        [InlineData(11, 250_000, 5, 16, 50, 641_024)]
        // SF9, 125 kHz, 4/8: 20 bytes take 246.784 ms.
        [InlineData(9, 125_000, 8, 8, 20, 246_784)]
        public void Airtime_matches_the_semtech_formula(int sf, double bandwidth, int codingRate, int preamble, int bytes, long expectedUs)
        {
            var radio = new RadioSettings
            {
                Preset = "lora",
                Lora = new LoraSettings { SpreadingFactor = sf, BandwidthHz = bandwidth, CodingRate = codingRate, PreambleSymbols = preamble },
            };
            Assert.Equal(expectedUs, new RadioModel(radio, 1).AirtimeMicroseconds(bytes));
        }

        [Fact]
        public void The_esp_now_preset_is_unchanged()
        {
            // 192 µs preamble + (100 + 43) bytes at 1 Mbps.
            Assert.Equal(192 + 143 * 8, new RadioModel(new RadioSettings(), 1).AirtimeMicroseconds(100));
        }
    }
}
