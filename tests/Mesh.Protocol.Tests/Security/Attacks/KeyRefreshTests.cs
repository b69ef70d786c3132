using System.Linq;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Security.Attacks.AttackKit;

namespace Mesh.Protocol.Tests.Security.Attacks
{
    /// <summary>
    /// Key refresh driven by the gateway through the core's commands (PROTOCOL.md, "Key refresh and
    /// eviction"): delivery goes on through the three phases, and the evicted node, left out, can neither
    /// inject nor read afterwards.
    /// </summary>
    public class KeyRefreshTests
    {
        private const uint Evicted = 4;
        private static readonly byte[] NewKey = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16 };

        private static InMemoryMesh Mesh()
        {
            var mesh = Line();
            NodeConfig evicted = InMemoryMesh.Config(Evicted, NodeRole.Sensor);
            mesh.Add(evicted);
            mesh.Link(Evicted, Relay);
            foreach (uint n in new[] { Relay, Sensor, Evicted })
            {
                mesh[n].SendReadings(Readings(20), mesh.Now);
            }

            mesh.RunFor(1000);
            return mesh;
        }

        private static void Command(InMemoryMesh mesh, uint target, CommandKind kind, byte[] args)
        {
            Assert.Equal(SendResult.Queued, mesh[Gateway].SendCommand(target, kind, args, 0, args.Length, mesh.Now, out ushort id));
            mesh.RunFor(3000);
            Assert.Contains(mesh.Events[Gateway], e => e.Kind == MeshEventKind.CommandAcknowledged && e.CommandId == id && e.CommandStatus == CommandStatus.Ok);
        }

        [Fact]
        public void Readings_flow_through_all_three_phases_and_the_evicted_node_is_out_afterwards()
        {
            var mesh = Mesh();
            // The core needs a crypto provider to install keys it receives.
            foreach (uint n in new[] { Gateway, Relay, Sensor })
            {
                Assert.Equal(0, mesh[n].NetworkKeys.Phase);
            }

            byte[] distribute = new byte[1 + NewKey.Length];
            distribute[0] = 1;
            NewKey.CopyTo(distribute, 1);
            int readingsBefore = ReadingsDelivered(mesh, Gateway);

            foreach (uint n in new[] { Relay, Sensor })
            {
                Command(mesh, n, CommandKind.SetNetworkKey, distribute);
            }

            Assert.True(mesh[Gateway].NetworkKeys.Distribute(new NetworkKey(NewKey, 1, DesktopCrypto.Instance)));
            mesh[Sensor].SendReadings(Readings(21), mesh.Now);
            mesh.RunFor(1000);
            Assert.Equal(readingsBefore + 1, ReadingsDelivered(mesh, Gateway)); // phase 1: still under the old key

            foreach (uint n in new[] { Relay, Sensor })
            {
                Command(mesh, n, CommandKind.KeyRefreshPhase, new byte[] { 1, 2 });
            }

            mesh[Gateway].NetworkKeys.Advance(1, 2);
            mesh[Sensor].SendReadings(Readings(22), mesh.Now);
            mesh.RunFor(1000);
            Assert.Equal(readingsBefore + 2, ReadingsDelivered(mesh, Gateway)); // phase 2: sent under the new key
            Assert.Equal(1, Captured(mesh, Sensor, MessageType.Readings, last: true)[FrameLayout.OffsetKeyIndex] & 0x0F);

            foreach (uint n in new[] { Relay, Sensor })
            {
                Command(mesh, n, CommandKind.KeyRefreshPhase, new byte[] { 1, 3 });
            }

            mesh[Gateway].NetworkKeys.Advance(1, 3);
            Assert.All(new[] { Gateway, Relay, Sensor }, n => Assert.Equal(1, mesh[n].NetworkKeys.Current.Index));

            // The evicted node still sends under the old key: nobody takes it, and it reads nothing new.
            int fromEvicted = mesh.Events[Gateway].Count(e => e.Type == MessageType.Readings && e.Origin == Evicted);
            mesh[Evicted].SendReadings(Readings(66), mesh.Now);
            mesh.RunFor(1000);
            Assert.Equal(fromEvicted, mesh.Events[Gateway].Count(e => e.Type == MessageType.Readings && e.Origin == Evicted));
            Assert.Equal(RejectReason.UnknownKey, mesh.Results[Relay].Last(r => r != RejectReason.Duplicate));

            long evictedHeard = mesh[Evicted].Counters.FramesAccepted;
            mesh[Sensor].SendReadings(Readings(23), mesh.Now);
            mesh.RunFor(1000);
            Assert.Equal(evictedHeard, mesh[Evicted].Counters.FramesAccepted);
            Assert.Equal(readingsBefore + 3, ReadingsDelivered(mesh, Gateway));
        }

        [Fact]
        public void The_new_key_reaches_the_application_for_storage_only_sealed_to_its_node()
        {
            var mesh = Mesh();
            byte[] distribute = new byte[1 + NewKey.Length];
            distribute[0] = 1;
            NewKey.CopyTo(distribute, 1);
            Command(mesh, Sensor, CommandKind.SetNetworkKey, distribute);

            MeshEvent stored = mesh.Events[Sensor].Last(e => e.Kind == MeshEventKind.SettingsChanged && e.Payload[0] == (byte)SettingsChange.NetworkKey);
            Assert.Equal(NewKey, stored.Payload.Skip(4).Take(stored.Payload[3]).ToArray());

            // The command on the air never shows the key: it is sealed with the sensor's device key.
            byte[] command = mesh.Air.Last(a => a.Node == Gateway && a.Frame[FrameLayout.OffsetType] == (byte)MessageType.Command).Frame;
            for (int i = 0; i + NewKey.Length <= command.Length; i++)
            {
                Assert.False(command.Skip(i).Take(NewKey.Length).SequenceEqual(NewKey), "the new key is visible on the air");
            }

            Assert.DoesNotContain(mesh.Events[Relay], e => e.Kind == MeshEventKind.SettingsChanged);
        }
    }
}
