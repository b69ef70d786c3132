using System;
using Mesh.NodeApp.Sensors;
using Mesh.Protocol;
using Mesh.Protocol.Messages;

namespace Mesh.Node.Tests
{
    public class SensorTests
    {
        [Fact]
        public void A_failing_sensor_is_reported_once_and_its_recovery_once_while_the_others_keep_reading()
        {
            var log = new RecordingLog();
            var broken = new ScriptedSensor("SHT3x @0x44").Then("fail:no ACK", "fail:no ACK", "throw", 21.5);
            var good = new ScriptedSensor("BME280 @0x76").Then(20.0, 20.1, 20.2, 20.3);
            var set = new SensorSet(new Mesh.NodeApp.Hal.ISensor[] { broken, good }, log);
            var into = new ReadingSet();

            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(1, set.ReadAll(into));
                Assert.Equal(1, into.Count); // the good sensor's reading only
            }

            Assert.Equal(2, set.ReadAll(into));
            Assert.Equal(3, set.FailedReads);
            Assert.Single(log.Lines, l => l.Message.Contains("failed"));
            Assert.Contains("sensor SHT3x @0x44 failed: no ACK (reported once", log.All);
            Assert.Single(log.Lines, l => l.Message == "sensor SHT3x @0x44 recovered");
        }

        [Fact]
        public void A_sensor_failing_half_way_adds_nothing_to_the_report()
        {
            var set = new SensorSet(new Mesh.NodeApp.Hal.ISensor[] { new ScriptedSensor("a").Then(19.0), new ScriptedSensor("b").Then("half") }, new RecordingLog());
            var into = new ReadingSet();
            Assert.Equal(1, set.ReadAll(into));
            Assert.Equal(1, into.Count);
            Assert.Equal(Quantity.Temperature, into.QuantityAt(0));
        }

        [Fact]
        public void Battery_voltage_comes_from_the_divider_and_charge_from_the_lithium_curve()
        {
            // 2600 counts of 4095 at 3.3 V full scale behind a 2:1 divider = 4.19 V.
            Assert.Equal(4.190, BatterySensor.VoltsFromRaw(2600, 4095, 3300, 2000), 3);
            Assert.Equal(100, BatterySensor.LithiumPercent(4.25));
            Assert.Equal(57.5, BatterySensor.LithiumPercent(3.85), 6);
            Assert.Equal(0, BatterySensor.LithiumPercent(3.1));

            var adc = new FakeAdc { Raw = 2300 };
            var battery = new BatterySensor(adc, 3300, 2000);
            var into = new ReadingSet();
            Assert.True(battery.TryRead(into));
            Assert.Equal(Quantity.BatteryVoltage, into.QuantityAt(0));
            Assert.Equal(3.71, into.ValueAt(0), 2);
            Assert.Equal(Quantity.BatteryLevel, into.QuantityAt(1));

            adc.Raw = 0;
            Assert.False(battery.TryRead(new ReadingSet()));
            Assert.Contains("divider not connected", battery.LastError);
        }

        [Fact]
        public void I2c_detection_tells_bme280_from_bmp280_by_chip_id_and_finds_sht3x_and_aht20()
        {
            var bus = new FakeI2cBus().With(0x76, 0x60).With(0x77, 0x58).With(0x45, new FakeSht3xDevice()).With(0x38, new FakeAht20Device())
                .With(0x3C, new FakeBoschDevice(0) /* a display: never probed */);
            var kinds = new I2cSensorKind[I2cSensorDetector.MaxFound];
            var addresses = new int[I2cSensorDetector.MaxFound];
            int n = I2cSensorDetector.Detect(bus, kinds, addresses);
            Assert.Equal(4, n);
            Assert.Equal(new[] { I2cSensorKind.Bme280, I2cSensorKind.Bmp280, I2cSensorKind.Sht3x, I2cSensorKind.Aht20 }, kinds[..4]);
            Assert.Equal(new[] { 0x76, 0x77, 0x45, 0x38 }, addresses[..4]);
            Assert.Equal("BME280 @0x76", I2cSensorDetector.Describe(kinds[0], addresses[0]));
            Assert.DoesNotContain(bus.Transactions, t => t.StartsWith("0x3C", StringComparison.Ordinal));
        }

        [Fact]
        public void An_idle_SHT3x_that_NACKs_bare_reads_is_found_by_its_status_register_command()
        {
            var sht = new FakeSht3xDevice();
            var bus = new FakeI2cBus().With(0x44, sht);

            // The device model: a bare one-byte read (the old probe) is NACKed by the idle sensor...
            Assert.False(bus.TryWriteRead(0x44, Array.Empty<byte>(), 0, new byte[1], 1));
            bus.Transactions.Clear();

            // ...and the detector, which probes with a write, finds it.
            var kinds = new I2cSensorKind[I2cSensorDetector.MaxFound];
            var addresses = new int[I2cSensorDetector.MaxFound];
            Assert.Equal(1, I2cSensorDetector.Detect(bus, kinds, addresses));
            Assert.Equal(I2cSensorKind.Sht3x, kinds[0]);
            Assert.Equal(0x44, addresses[0]);
            Assert.Contains("0x44 w2 r3", bus.Transactions);
            Assert.DoesNotContain(bus.Transactions, t => t.Contains(" w0 ", StringComparison.Ordinal)); // no probe is a bare read
        }

        [Fact]
        public void A_device_at_an_SHT3x_address_whose_answer_fails_the_Sensirion_CRC_is_not_taken_for_one()
        {
            var bus = new FakeI2cBus().With(0x44, new FakeSht3xDevice { WrongCrc = true });
            var kinds = new I2cSensorKind[I2cSensorDetector.MaxFound];
            var addresses = new int[I2cSensorDetector.MaxFound];
            Assert.Equal(0, I2cSensorDetector.Detect(bus, kinds, addresses));
        }

        [Fact]
        public void Sensirion_CRC8_matches_the_datasheet_example()
        {
            // SHT3x datasheet, table 19: CRC of 0xBEEF is 0x92; and the status word the fake device sends.
            Assert.Equal(0x92, I2cSensorDetector.SensirionCrc8(new byte[] { 0xBE, 0xEF }, 0, 2));
            Assert.Equal(0xE1, I2cSensorDetector.SensirionCrc8(new byte[] { 0x80, 0x10 }, 0, 2));
        }

        [Fact]
        public void The_simulated_sensor_is_deterministic_and_plausible()
        {
            var a = new ReadingSet();
            var b = new ReadingSet();
            new SimulatedSensor(new XorShiftRandom(5), 7).TryRead(a);
            new SimulatedSensor(new XorShiftRandom(5), 7).TryRead(b);
            Assert.Equal(5, a.Count);
            for (int i = 0; i < a.Count; i++)
            {
                Assert.Equal(a.RawValueAt(i), b.RawValueAt(i));
            }

            Assert.InRange(a.ValueAt(0), 15, 35);    // °C
            Assert.InRange(a.ValueAt(1), 20, 80);    // %
            Assert.InRange(a.ValueAt(2), 100_000, 102_700); // Pa
        }
    }
}
