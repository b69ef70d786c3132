using Mesh.NodeApp.Hal;
using Mesh.Protocol;
using Mesh.Protocol.Messages;

namespace Mesh.NodeApp.Sensors
{
    /// <summary>
    /// Plausible indoor readings for a board with nothing attached (and for mesh-node): temperature,
    /// humidity and pressure drifting along slow triangle waves with a little noise, and a battery that
    /// discharges. Deterministic from the random source, so a test or a simulation sees the same values.
    /// </summary>
    public sealed class SimulatedSensor : ISensor
    {
        private readonly IRandomSource _random;
        private readonly int _phase;
        private int _reads;

        public SimulatedSensor(IRandomSource random, uint nodeId)
        {
            _random = random;
            _phase = (int)(nodeId % 97);
        }

        public int MaxValues
        {
            get { return 5; } // temperature, humidity, pressure, battery voltage and level
        }

        public string Name
        {
            get { return "simulated"; }
        }

        public string LastError
        {
            get { return null; }
        }

        public bool TryRead(ReadingSet into)
        {
            int t = _reads + _phase;
            _reads++;
            double temperature = 20.0 + (_phase % 7) + (Triangle(t, 120) * 3.0) + Noise(0.2);
            double humidity = 45.0 + (Triangle(t + 31, 90) * 10.0) + Noise(1.0);
            double pressure = 101325.0 + (Triangle(t, 300) * 300.0) + Noise(20.0);
            double volts = 4.15 - ((_reads % 5000) * 0.0002);
            return into.Add(Quantity.Temperature, temperature)
                && into.Add(Quantity.Humidity, humidity)
                && into.Add(Quantity.Pressure, pressure)
                && into.Add(Quantity.BatteryVoltage, volts)
                && into.Add(Quantity.BatteryLevel, BatterySensor.LithiumPercent(volts));
        }

        /// <summary>-1..1..-1 over <paramref name="period"/> steps: a sine's shape without System.Math (absent on the board).</summary>
        private static double Triangle(int step, int period)
        {
            int p = step % period;
            double x = (double)p / period; // 0..1
            return x < 0.5 ? (4.0 * x) - 1.0 : 3.0 - (4.0 * x);
        }

        private double Noise(double amplitude)
        {
            // Uniform in [-amplitude, amplitude].
            return ((int)(_random.NextUInt32() % 2001) - 1000) * amplitude / 1000.0;
        }
    }
}
