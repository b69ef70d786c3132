using System;
using System.Device.I2c;
using System.IO;
using Iot.Device.Ahtxx;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.ReadResult;
using Iot.Device.Sht3x;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Sensors;
using Mesh.Protocol.Messages;

namespace Mesh.Node.Desktop.Sensors
{
    /// <summary>The desktop Iot.Device.Bindings for the sensors <see cref="I2cSensorDetector"/> finds, mapped to the protocol's quantities.</summary>
    internal static class I2cSensors
    {
        public static ISensor Create(int bus, I2cSensorKind kind, int address)
        {
            I2cDevice device = I2cDevice.Create(new I2cConnectionSettings(bus, address));
            string name = I2cSensorDetector.Describe(kind, address);
            return kind switch
            {
                I2cSensorKind.Bme280 => new BindingSensor(name, new Bme280(device), (s, into) =>
                {
                    Bme280ReadResult r = ((Bme280)s).Read();
                    return r.Temperature is { } t && r.Pressure is { } p && r.Humidity is { } h
                        ? into.Add(Quantity.Temperature, t.DegreesCelsius) && into.Add(Quantity.Pressure, p.Pascals) && into.Add(Quantity.Humidity, h.Percent)
                        : throw new IOException("incomplete measurement");
                }) { MaxValues = 3 },
                I2cSensorKind.Bmp280 => new BindingSensor(name, new Bmp280(device), (s, into) =>
                {
                    Bmp280ReadResult r = ((Bmp280)s).Read();
                    return r.Temperature is { } t && r.Pressure is { } p
                        ? into.Add(Quantity.Temperature, t.DegreesCelsius) && into.Add(Quantity.Pressure, p.Pascals)
                        : throw new IOException("incomplete measurement");
                }),
                I2cSensorKind.Sht3x => new BindingSensor(name, new Sht3x(device, Resolution.High), (s, into) =>
                    into.Add(Quantity.Temperature, ((Sht3x)s).Temperature.DegreesCelsius) && into.Add(Quantity.Humidity, ((Sht3x)s).Humidity.Percent)),
                I2cSensorKind.Aht20 => new BindingSensor(name, new Aht20(device), (s, into) =>
                    into.Add(Quantity.Temperature, ((Aht20)s).GetTemperature().DegreesCelsius) && into.Add(Quantity.Humidity, ((Aht20)s).GetHumidity().Percent)),
                _ => throw new ArgumentException("no binding for " + kind),
            };
        }

        private sealed class BindingSensor : ISensor
        {
            private readonly object _binding;
            private readonly Func<object, ReadingSet, bool> _read;

            public BindingSensor(string name, object binding, Func<object, ReadingSet, bool> read)
            {
                Name = name;
                _binding = binding;
                _read = read;
            }

            public string Name { get; }

            /// <summary>Values per read: 2 (temperature and pressure or humidity), 3 for the BME280.</summary>
            public int MaxValues { get; init; } = 2;

            public string? LastError { get; private set; }

            public bool TryRead(ReadingSet into)
            {
                try
                {
                    bool ok = _read(_binding, into);
                    LastError = ok ? null : "value out of range";
                    return ok;
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException)
                {
                    LastError = ex.Message;
                    return false;
                }
            }
        }
    }
}
