using System;
using System.Collections;
using Mesh.Board.Platform;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol;
#if !NO_SENSOR_BINDINGS
using nanoFramework.Hardware.Esp32;
#endif

namespace Mesh.Board.Sensors
{
    /// <summary>
    /// Which sensors this board reads: whatever answers at the known I2C addresses, a DHT22 if a pin is
    /// configured, the battery divider if an ADC channel is, and a simulated sensor when nothing is attached.
    /// A sensor that cannot even be created is reported and skipped; the node still relays. The relay image
    /// (NO_SENSOR_BINDINGS) has only the battery divider and the simulated sensor.
    /// </summary>
    internal static class SensorDiscovery
    {
        public static ISensor[] Find(NodeSettings s, uint nodeId, ILog log)
        {
            var found = new ArrayList();
#if NO_SENSOR_BINDINGS
            // The relay image (Mesh.Board.Relay.nfproj, for the ESP32-C3) leaves the sensor bindings and UnitsNet
            // out to keep their runtime tables off the heap: say so rather than stay silent about wired sensors.
            if ((s.I2cDataPin >= 0 && s.I2cClockPin >= 0) || s.DhtPin >= 0)
            {
                log.Write(LogLevel.Info, "sensors: this is the relay image (no sensor bindings): I2C and DHT22 sensors are not read; deploy the full image (Mesh.Board) on a board with more heap to read them");
            }
#else
            if (s.I2cDataPin >= 0 && s.I2cClockPin >= 0)
            {
                try
                {
                    Configuration.SetPinFunction(s.I2cDataPin, DeviceFunction.I2C1_DATA);
                    Configuration.SetPinFunction(s.I2cClockPin, DeviceFunction.I2C1_CLOCK);
                    var kinds = new I2cSensorKind[I2cSensorDetector.MaxFound];
                    var addresses = new int[I2cSensorDetector.MaxFound];
                    int n = I2cSensorDetector.Detect(new EspI2cBus(), kinds, addresses);
                    for (int i = 0; i < n; i++)
                    {
                        Add(found, kinds[i], addresses[i], log);
                    }
                }
                catch (Exception ex)
                {
                    log.Write(LogLevel.Error, "i2c: bus on GPIO" + s.I2cDataPin + "/" + s.I2cClockPin + " unusable: " + ex.Message);
                }
            }

            if (s.DhtPin >= 0 && (s.DhtTriggerPin < 0 || s.DhtTriggerPin == s.DhtPin))
            {
                log.Write(LogLevel.Error, "DHT22: set dht_trigger_pin too, a second GPIO wired to the same data line (the ESP32 binding reads with RMT on dht_pin and starts the sensor from dht_trigger_pin); not read");
            }
            else if (s.DhtPin >= 0)
            {
                try
                {
                    found.Add(new BindingSensors.Dht22Sensor(s.DhtPin, s.DhtTriggerPin));
                }
                catch (Exception ex)
                {
                    log.Write(LogLevel.Error, "DHT22 on GPIO" + s.DhtPin + "/" + s.DhtTriggerPin + ": " + ex.Message);
                }
            }
#endif

            if (s.BatteryAdcChannel >= 0)
            {
                try
                {
                    found.Add(new BatterySensor(new AdcInput(s.BatteryAdcChannel), 3300, s.BatteryDividerPermille));
                }
                catch (Exception ex)
                {
                    log.Write(LogLevel.Error, "battery ADC channel " + s.BatteryAdcChannel + ": " + ex.Message);
                }
            }

            if (found.Count == 0 && s.SimulateWhenNoSensor)
            {
                log.Write(LogLevel.Info, "no sensor found; reporting simulated readings");
                found.Add(new SimulatedSensor(new XorShiftRandom(nodeId), nodeId));
            }

            var sensors = new ISensor[found.Count];
            for (int i = 0; i < sensors.Length; i++)
            {
                sensors[i] = (ISensor)found[i];
                log.Write(LogLevel.Info, "sensor: " + sensors[i].Name);
            }

            return sensors;
        }

#if !NO_SENSOR_BINDINGS
        private static void Add(ArrayList found, I2cSensorKind kind, int address, ILog log)
        {
            try
            {
                found.Add(BindingSensors.Create(kind, address));
            }
            catch (Exception ex)
            {
                log.Write(LogLevel.Error, I2cSensorDetector.Describe(kind, address) + ": " + ex.Message);
            }
        }
#endif
    }
}
