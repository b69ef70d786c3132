using Mesh.Protocol.Desktop;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;

namespace Mesh.Protocol.Tests
{
    public class SmokeTests
    {
        [Fact]
        public void A_reading_sent_by_one_node_is_delivered_to_a_bridge_one_hop_away()
        {
            NetworkKey key = TestKeys.Network();
            var devices = TestKeys.Devices();
            var sensor = new MeshNode(TestKeys.Provisioned(new NodeConfig { NodeId = 1 }, devices), key, new XorShiftRandom(1), 0);
            var bridge = new MeshNode(TestKeys.Provisioned(new NodeConfig { NodeId = 2, Role = NodeRole.Bridge }, devices), key, new XorShiftRandom(2), 0);
            var set = new Messages.ReadingSet();
            set.Add(Messages.Quantity.Temperature, 21.5);
            Assert.Equal(SendResult.Queued, sensor.SendReadings(set, 0));
            var buf = new byte[250];
            Assert.True(sensor.TryTakeTransmit(0, buf, 0, out int len));
            Assert.Equal(Wire.RejectReason.None, bridge.Receive(buf, 0, len, -60, 1));
            var e = new MeshEvent();
            Assert.True(bridge.TryTakeEvent(e));
            var got = new Messages.ReadingSet();
            Assert.True(got.TryDecode(e.Payload, 0, e.PayloadLength));
            Assert.Equal(21.5, got.ValueAt(0), 6);
        }
    }
}
