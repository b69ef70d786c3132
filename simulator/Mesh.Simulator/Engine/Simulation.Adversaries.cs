using System;
using System.Collections.Generic;
using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>Adversarial nodes: choosing them, replayers re-sending captured frames, forgers sending frames without the key; and nodes driven from outside (the real-time bridge). Tamperers, echoes, reboot replayers and insiders: Simulation.AdversaryKinds.</summary>
    public sealed partial class Simulation
    {
        private void AssignAdversaries(Scenario s, IRandomSource random)
        {
            foreach (var a in s.Adversaries)
            {
                NodeBehaviour b = a.Kind switch
                {
                    "blackhole" => NodeBehaviour.BlackHole,
                    "replayer" => NodeBehaviour.Replayer,
                    "forger" => NodeBehaviour.Forger,
                    "babbler" => NodeBehaviour.Babbler,
                    "tamperer" => NodeBehaviour.Tamperer,
                    "echo" => NodeBehaviour.Echo,
                    "rebootReplayer" => NodeBehaviour.RebootReplayer,
                    "insider" => NodeBehaviour.Insider,
                    "evictedInsider" => NodeBehaviour.EvictedInsider,
                    _ => NodeBehaviour.Honest,
                };
                if (b == NodeBehaviour.Honest)
                {
                    continue; // jammers are areas, not nodes
                }

                var chosen = new List<int>(a.Nodes);
                int guard = 0;
                while (chosen.Count < a.Nodes.Count + a.Count && guard++ < 100_000)
                {
                    int i = RandomExtensions.NextBelow(random, _nodes.Length);
                    if (!_nodes[i].IsSink && _nodes[i].Behaviour == NodeBehaviour.Honest && !chosen.Contains(i))
                    {
                        chosen.Add(i);
                    }
                }

                foreach (int i in chosen)
                {
                    _nodes[i].Behaviour = b;
                    _nodes[i].Babble = b == NodeBehaviour.Babbler ? a : null;
                    _nodes[i].Adversary = a;
                }
            }
        }

        /// <summary>Marks a node as driven from outside (real-time bridge); call before running.</summary>
        public void MakeExternal(int node)
        {
            if (IsHonestRunning(_nodes[node]))
            {
                _aliveHonest--;
            }

            _nodes[node].Behaviour = NodeBehaviour.External;
            _nodes[node].Core = null;
        }

        private AdversarySettings FirstReplayer()
        {
            foreach (var a in _scenario.Adversaries)
            {
                if (a.Kind == "replayer")
                {
                    return a;
                }
            }

            return new AdversarySettings();
        }

        private void Replay(SimNode node)
        {
            if (!node.Alive || node.Captured.Count == 0)
            {
                return;
            }

            byte[] frame = node.Captured.Dequeue();
            _metrics.AdversarialFramesSent++;
            StartTransmission(node, frame, frame.Length, _nowUs);
        }

        /// <summary>
        /// A forger without the key: alternately sends a reading under a wrong key claiming a real node's
        /// identity, and a captured genuine frame with one payload byte changed.
        /// </summary>
        private void Forge(SimNode node)
        {
            if (node.Alive)
            {
                byte[] frame = new byte[FrameLayout.MaxFrameSize];
                int length;
                if ((_metrics.AdversarialFramesSent & 1) == 0 || node.Captured.Count == 0)
                {
                    length = ForgeUnderWrongKey(frame);
                }
                else
                {
                    byte[] captured = node.Captured.Dequeue();
                    length = captured.Length;
                    Array.Copy(captured, frame, length);
                    frame[FrameLayout.HeaderSize] ^= 0x01;
                }

                _metrics.AdversarialFramesSent++;
                StartTransmission(node, frame, length, _nowUs);
            }

            _events.Push(_nowUs + NextInterval(Math.Max(1, _scenario.Workload.ReadingIntervalSeconds)), EventKind.Forge, node.Index, 0);
        }

        private int ForgeUnderWrongKey(byte[] frame)
        {
            var header = new FrameHeader
            {
                Flags = FrameFlags.DeviceSealed,
                Time = _epochSeconds + (uint)(_nowUs / 1_000_000),
                Type = MessageType.Readings,
                Network = _scenario.Network.Id,
                Origin = (uint)(1 + RandomExtensions.NextBelow(_workloadRandom, _nodes.Length)),
                Destination = NodeAddress.Gateways,
                Sequence = 0x7FFF_0000u + (uint)_metrics.AdversarialFramesSent,
                HopLimit = _scenario.Network.HopLimit,
            };
            _readings.Clear();
            _readings.Add(Quantity.Temperature, 99.9);
            header.PayloadLength = _readings.Encode(frame, FrameLayout.HeaderSize, FrameLayout.MaxPayloadSize);
            header.PreviousHop = header.Origin;
            FrameCodec.WriteHeader(header, frame, 0);
            new PayloadSealer().Seal(_forgerDeviceKeys.KeyOf(header.Origin).Sealing, header, frame, 0);
            new NetworkSealer().Seal(_forgerKey, frame, 0, header.FrameLength);
            return header.FrameLength;
        }
    }
}
