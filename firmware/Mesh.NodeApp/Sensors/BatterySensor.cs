using Mesh.NodeApp.Hal;
using Mesh.Protocol.Messages;

namespace Mesh.NodeApp.Sensors
{
    /// <summary>
    /// A single-cell lithium battery measured through a resistor divider on an ADC pin: battery voltage (V)
    /// and an estimated charge (%) from the cell's discharge curve.
    /// </summary>
    public sealed class BatterySensor : ISensor
    {
        // Resting voltage → charge of a typical LiPo/Li-ion cell; linear between points.
        private static readonly int[] CurveMillivolts = { 4200, 4100, 4000, 3900, 3800, 3700, 3600, 3500, 3300 };
        private static readonly int[] CurvePercent = { 100, 90, 80, 65, 50, 35, 20, 10, 0 };

        private readonly IAnalogInput _adc;
        private readonly int _fullScaleMillivolts;
        private readonly int _dividerPermille;
        private string _error;

        /// <param name="fullScaleMillivolts">Pin voltage at <see cref="IAnalogInput.MaxValue"/> (about 3300 on an ESP32 at 11 dB attenuation).</param>
        /// <param name="dividerPermille">(R1 + R2) / R2 in thousandths.</param>
        public BatterySensor(IAnalogInput adc, int fullScaleMillivolts, int dividerPermille)
        {
            _adc = adc;
            _fullScaleMillivolts = fullScaleMillivolts;
            _dividerPermille = dividerPermille;
        }

        public int MaxValues
        {
            get { return 2; } // voltage and level
        }

        public string Name
        {
            get { return "battery"; }
        }

        public string LastError
        {
            get { return _error; }
        }

        public bool TryRead(ReadingSet into)
        {
            int raw = _adc.ReadRaw();
            if (raw <= 0 || raw >= _adc.MaxValue)
            {
                _error = "ADC reads " + raw + " (of " + _adc.MaxValue + "): divider not connected or wrong battery_divider";
                return false;
            }

            double volts = VoltsFromRaw(raw, _adc.MaxValue, _fullScaleMillivolts, _dividerPermille);
            _error = null;
            return into.Add(Quantity.BatteryVoltage, volts) && into.Add(Quantity.BatteryLevel, LithiumPercent(volts));
        }

        public static double VoltsFromRaw(int raw, int maxValue, int fullScaleMillivolts, int dividerPermille)
        {
            return (double)raw * fullScaleMillivolts / maxValue * dividerPermille / 1000.0 / 1000.0;
        }

        /// <summary>Charge estimate in percent (0..100) from the resting cell voltage.</summary>
        public static double LithiumPercent(double volts)
        {
            int mv = (int)((volts * 1000.0) + 0.5);
            if (mv >= CurveMillivolts[0])
            {
                return 100;
            }

            for (int i = 1; i < CurveMillivolts.Length; i++)
            {
                if (mv >= CurveMillivolts[i])
                {
                    int span = CurveMillivolts[i - 1] - CurveMillivolts[i];
                    return CurvePercent[i] + ((double)(CurvePercent[i - 1] - CurvePercent[i]) * (mv - CurveMillivolts[i]) / span);
                }
            }

            return 0;
        }
    }
}
