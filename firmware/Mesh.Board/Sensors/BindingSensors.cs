using System;
using System.Device.I2c;
using Iot.Device.Ahtxx;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.ReadResult;
using Iot.Device.DHTxx.Esp32;
using Iot.Device.Sht3x;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Sensors;
using Mesh.Protocol.Messages;

namespace Mesh.Board.Sensors
{
    /// <summary>The nanoFramework.Iot.Device bindings, each mapped to the protocol's quantities and units (°C, %, Pa).</summary>
    internal static class BindingSensors
    {
        public static ISensor Create(I2cSensorKind kind, int address)
        {
            I2cDevice device = I2cDevice.Create(new I2cConnectionSettings(EspI2cBus.BusId, address));
            string name = I2cSensorDetector.Describe(kind, address);
            switch (kind)
            {
                case I2cSensorKind.Bme280:
                    return new Bme280Sensor(name, new Bme280(device));
                case I2cSensorKind.Bmp280:
                    return new Bmp280Sensor(name, new Bmp280(device));
                case I2cSensorKind.Sht3x:
                    return new Sht3xSensor(name, new Sht3x(device, Resolution.High));
                case I2cSensorKind.Aht20:
                    return new Aht20Sensor(name, new Aht20(device));
                default:
                    throw new ArgumentException("no binding for this sensor");
            }
        }

        internal abstract class Base : ISensor
        {
            protected Base(string name, int maxValues)
            {
                Name = name;
                MaxValues = maxValues;
            }

            public string Name { get; private set; }

            public int MaxValues { get; private set; }

            public string LastError { get; private set; }

            /// <summary>Set by <see cref="Read"/> to say why it failed.</summary>
            protected string Fault { get; set; }

            public bool TryRead(ReadingSet into)
            {
                try
                {
                    Fault = null;
                    bool ok = Read(into);
                    LastError = ok ? null : (Fault ?? "no valid measurement");
                    return ok;
                }
                catch (Exception ex)
                {
                    LastError = ex.Message;
                    return false;
                }
            }

            protected abstract bool Read(ReadingSet into);
        }

        private sealed class Bme280Sensor : Base
        {
            private readonly Bme280 _sensor;

            public Bme280Sensor(string name, Bme280 sensor)
                : base(name, 3)
            {
                _sensor = sensor;
            }

            protected override bool Read(ReadingSet into)
            {
                Bme280ReadResult r = _sensor.Read();
                return r.TemperatureIsValid && r.PressureIsValid && r.HumidityIsValid
                    && into.Add(Quantity.Temperature, r.Temperature.DegreesCelsius)
                    && into.Add(Quantity.Pressure, r.Pressure.Pascals)
                    && into.Add(Quantity.Humidity, r.Humidity.Percent);
            }
        }

        private sealed class Bmp280Sensor : Base
        {
            private readonly Bmp280 _sensor;

            public Bmp280Sensor(string name, Bmp280 sensor)
                : base(name, 2)
            {
                _sensor = sensor;
            }

            protected override bool Read(ReadingSet into)
            {
                Bmp280ReadResult r = _sensor.Read();
                return r.TemperatureIsValid && r.PressureIsValid
                    && into.Add(Quantity.Temperature, r.Temperature.DegreesCelsius)
                    && into.Add(Quantity.Pressure, r.Pressure.Pascals);
            }
        }

        private sealed class Sht3xSensor : Base
        {
            private readonly Sht3x _sensor;

            public Sht3xSensor(string name, Sht3x sensor)
                : base(name, 2)
            {
                _sensor = sensor;
            }

            protected override bool Read(ReadingSet into)
            {
                return into.Add(Quantity.Temperature, _sensor.Temperature.DegreesCelsius)
                    && into.Add(Quantity.Humidity, _sensor.Humidity.Percent);
            }
        }

        private sealed class Aht20Sensor : Base
        {
            private readonly Aht20 _sensor;

            public Aht20Sensor(string name, Aht20 sensor)
                : base(name, 2)
            {
                _sensor = sensor;
            }

            protected override bool Read(ReadingSet into)
            {
                return into.Add(Quantity.Temperature, _sensor.GetTemperature().DegreesCelsius)
                    && into.Add(Quantity.Humidity, _sensor.GetHumidity().Percent);
            }
        }

        /// <summary>
        /// DHT22 through Iot.Device.Dhtxx.Esp32: the start pulse on the trigger GPIO, the answer timed by the RMT
        /// peripheral on the echo GPIO, both wired to the sensor's data line. (Iot.Device.Dhtxx bit-bangs the
        /// timing from managed code, which its README says does not work on ESP32.)
        /// </summary>
        internal sealed class Dht22Sensor : Base
        {
            private readonly Dht22 _sensor;

            public Dht22Sensor(int echoPin, int triggerPin)
                : base("DHT22 @GPIO" + echoPin + "+" + triggerPin, 2)
            {
                _sensor = new Dht22(echoPin, triggerPin);
            }

            protected override bool Read(ReadingSet into)
            {
                double t = _sensor.Temperature.DegreesCelsius;
                double h = _sensor.Humidity.Percent;
                if (!_sensor.IsLastReadSuccessful)
                {
                    Fault = "no answer or checksum error";
                    return false;
                }

                return into.Add(Quantity.Temperature, t) && into.Add(Quantity.Humidity, h);
            }
        }
    }
}
