using System;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Radio
{
    /// <summary>
    /// LoRa time on air by the Semtech formula (SX1276 datasheet §4.1.1.7, AN1200.13):
    /// T_sym = 2^SF / BW; preamble (n_preamble + 4.25)·T_sym; payload
    /// 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE)))·(CR + 4), 0) symbols,
    /// with IH = 1 for an implicit header and DE = 1 with low-data-rate optimisation.
    /// </summary>
    public static class LoraAirtime
    {
        /// <summary>Semtech's drivers switch low-data-rate optimisation on above this symbol time.</summary>
        public const double LowDataRateSymbolSeconds = 0.016;

        public static double SymbolSeconds(LoraSettings s) => Math.Pow(2, s.SpreadingFactor) / s.BandwidthHz;

        public static bool LowDataRateOptimization(LoraSettings s) => s.LowDataRateOptimization switch
        {
            "on" => true,
            "off" => false,
            _ => SymbolSeconds(s) > LowDataRateSymbolSeconds,
        };

        public static double Seconds(LoraSettings s, int payloadBytes)
        {
            double symbol = SymbolSeconds(s);
            int sf = s.SpreadingFactor;
            int crc = s.Crc ? 1 : 0;
            int implicitHeader = s.ExplicitHeader ? 0 : 1;
            int de = LowDataRateOptimization(s) ? 1 : 0;
            double bits = 8.0 * payloadBytes - 4 * sf + 28 + 16 * crc - 20 * implicitHeader;
            double payloadSymbols = 8 + Math.Max(Math.Ceiling(bits / (4.0 * (sf - 2 * de))) * s.CodingRate, 0);
            return (s.PreambleSymbols + 4.25) * symbol + payloadSymbols * symbol;
        }
    }
}
