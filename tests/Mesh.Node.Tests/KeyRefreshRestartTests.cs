using Mesh.NodeApp.Settings;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;

namespace Mesh.Node.Tests
{
    /// <summary>
    /// A board restarted in the middle of a key refresh must come back holding the key in refresh (and,
    /// after phase 2, sending under it); with the key only in RAM it came back with the old key alone and
    /// was cut off from the mesh at phase 3.
    /// </summary>
    public class KeyRefreshRestartTests
    {
        private static readonly byte[] NewKey = { 0x3a, 0x11, 0x52, 0x90, 0x07, 0xc4, 0x6e, 0x21, 0x8b, 0x5d, 0xf0, 0x12, 0x99, 0x43, 0x2c, 0x7e };

        private static void Command(Air air, Air.Station gateway, uint to, CommandKind kind, params byte[] args)
        {
            Assert.Equal(SendResult.Queued, gateway.Runner.Node.SendCommand(to, kind, args, 0, args.Length, air.Now, out _));
            air.Run(500);
        }

        /// <summary>The board after a power cycle: a new runner from what its settings file holds.</summary>
        private static NetworkKeyRing Restarted(Air.Station node)
        {
            var settings = new NodeSettings();
            NodeSettingsText.Parse(node.Store.Text, settings, new RecordingLog());
            var air = new Air();
            return air.Add(node.Runner.Node.NodeId, settings).Runner.Node.NetworkKeys;
        }

        [Fact]
        public void A_node_restarted_in_phase_1_or_2_still_holds_the_next_key_and_phase_3_makes_it_current()
        {
            var air = new Air();
            Air.Station gateway = air.Add(1, NodeRole.Bridge);
            Air.Station node = air.Add(7, NodeRole.Sensor);
            air.Run(100);

            byte[] distribute = new byte[1 + NewKey.Length];
            distribute[0] = 1;
            NewKey.CopyTo(distribute, 1);
            Command(air, gateway, 7, CommandKind.SetNetworkKey, distribute);
            Assert.Contains("next_key_index = 1\n", node.Store.Text);
            NetworkKeyRing afterPhase1 = Restarted(node);
            Assert.Equal(NetworkKeyRing.PhaseDistributed, afterPhase1.Phase);
            Assert.Equal(1, afterPhase1.Next.Index);
            Assert.Equal(0, afterPhase1.Transmit.Index); // phase 1: still sends under the old key

            // The gateway's own ring follows the phases, as mesh-gateway's refresh does.
            NetworkKeyRing gatewayKeys = gateway.Runner.Node.NetworkKeys;
            Assert.True(gatewayKeys.Distribute(new NetworkKey(NewKey, 1, Mesh.Protocol.Desktop.DesktopCrypto.Instance)));
            Command(air, gateway, 7, CommandKind.KeyRefreshPhase, 1, NetworkKeyRing.PhaseSwitched);
            Assert.True(gatewayKeys.Advance(1, NetworkKeyRing.PhaseSwitched));
            NetworkKeyRing afterPhase2 = Restarted(node);
            Assert.Equal(NetworkKeyRing.PhaseSwitched, afterPhase2.Phase);
            Assert.Equal(1, afterPhase2.Transmit.Index);
            Assert.Equal(0, afterPhase2.Current.Index); // both still accepted

            Command(air, gateway, 7, CommandKind.KeyRefreshPhase, 1, NetworkKeyRing.PhaseRevoke);
            Assert.True(gatewayKeys.Advance(1, NetworkKeyRing.PhaseRevoke));
            Assert.Contains("key_index = 1\n", node.Store.Text);
            Assert.DoesNotContain("next_key", node.Store.Text);
            NetworkKeyRing afterPhase3 = Restarted(node);
            Assert.Equal(NetworkKeyRing.PhaseNormal, afterPhase3.Phase);
            Assert.Equal(1, afterPhase3.Current.Index);
            Assert.Null(afterPhase3.Next);
            Assert.Equal(3, gateway.Runner.Node.Counters.CommandsAcknowledged);
        }
    }
}
