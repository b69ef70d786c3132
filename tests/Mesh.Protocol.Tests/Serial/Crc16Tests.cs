using System;
using System.Text;
using Mesh.Protocol.Serial;
using static Mesh.Protocol.Tests.SerialTests.SerialTestSupport;

namespace Mesh.Protocol.Tests.SerialTests
{
    public class Crc16Tests
    {
        [Fact]
        public void Check_value_of_123456789_is_0x29B1()
        {
            byte[] check = Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0x29B1, Crc16CcittFalse.Compute(check, 0, check.Length));
            Assert.Equal(Crc16CcittFalse.CheckValue, Crc16CcittFalse.Compute(check, 0, check.Length));
            Assert.Equal(0x29B1, BitwiseCrc(check, 0, check.Length));
        }

        [Fact]
        public void Empty_input_leaves_the_initial_value()
        {
            Assert.Equal(0xFFFF, Crc16CcittFalse.Compute(Array.Empty<byte>(), 0, 0));
        }

        [Fact]
        public void Tableless_form_matches_the_bitwise_definition_on_random_data()
        {
            var rng = new Random(77);
            for (int i = 0; i < 2000; i++)
            {
                var data = new byte[rng.Next(0, 300)];
                rng.NextBytes(data);
                int offset = data.Length == 0 ? 0 : rng.Next(data.Length);
                int length = data.Length - offset;
                Assert.Equal(BitwiseCrc(data, offset, length), Crc16CcittFalse.Compute(data, offset, length));
            }

            for (int b = 0; b < 256; b++)
            {
                Assert.Equal(BitwiseCrc(new[] { (byte)b }, 0, 1), Crc16CcittFalse.Update(Crc16CcittFalse.Initial, (byte)b));
            }
        }
    }
}
