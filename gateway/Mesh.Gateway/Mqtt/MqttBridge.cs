using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Mesh.Gateway.Model;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// Turns what the mesh delivers into MQTT messages in the outbox: readings (retained, QoS 1), node
    /// status and availability, Home Assistant discovery the first time a node's quantity is seen,
    /// command results and text. Deduplicates readings across gateways (<see cref="GatewayRoster"/>).
    /// </summary>
    public sealed class MqttBridge : IMeshListener, IDisposable
    {
        private readonly TopicTree _topics;
        private readonly MqttOutbox _outbox;
        private readonly uint _gatewayNode;
        private readonly bool _discovery;
        private readonly GatewayRoster _roster;
        private readonly NodeDirectory _directory;
        private readonly object _lock = new();
        private readonly HashSet<(uint Node, string Quantity)> _announced = new();
        private readonly PriorityQueue<IReadOnlyList<SensorReading>, long> _held = new();
        private readonly Timer _release;
        private readonly TimeProvider _time;
        private long _readingsPublished;
        private long _readingsLeftToOthers;

        public MqttBridge(TopicTree topics, MqttOutbox outbox, uint gatewayNode, bool discovery, GatewayRoster roster, NodeDirectory directory, TimeProvider time)
        {
            _topics = topics;
            _outbox = outbox;
            _gatewayNode = gatewayNode;
            _discovery = discovery;
            _roster = roster;
            _directory = directory;
            _time = time;
            _directory.CameOnline += node => _outbox.Enqueue(_topics.Availability(node), Payloads.Utf8("online"), true);
            _directory.WentOffline += node => _outbox.Enqueue(_topics.Availability(node), Payloads.Utf8("offline"), true);
            _directory.Evicted += Forget;
            _release = new Timer(_ => ReleaseHeld(), null, 100, 100);
        }

        public TopicTree Topics => _topics;

        public long ReadingsPublished => Interlocked.Read(ref _readingsPublished);

        /// <summary>Readings not published here because another gateway published them first.</summary>
        public long ReadingsLeftToOthers => Interlocked.Read(ref _readingsLeftToOthers);

        public void OnReadings(IReadOnlyList<SensorReading> readings)
        {
            SensorReading first = readings[0];
            int rank = _roster.Rank(first.Node);
            if (rank == 0)
            {
                Publish(readings);
                return;
            }

            // Not this gateway's turn: give the gateways ranked before it the hold-off each to publish.
            long due = _time.GetTimestamp() + (long)(rank * _roster.HoldOff.TotalSeconds * _time.TimestampFrequency);
            lock (_held)
            {
                _held.Enqueue(readings, due);
            }
        }

        public void OnHeartbeat(NodeHeartbeat heartbeat)
        {
            _outbox.Enqueue(_topics.Status(heartbeat.Node), Payloads.Status(heartbeat), true);
        }

        public void OnCommandOutcome(CommandOutcome outcome)
        {
            PublishResult(outcome);
        }

        public void PublishResult(CommandOutcome outcome)
        {
            _outbox.Enqueue(_topics.CommandResult(outcome.Node, outcome.Command), Payloads.CommandResult(outcome), false);
        }

        public void OnText(ushort network, uint node, string text)
        {
            _outbox.Enqueue(_topics.Text(node), Payloads.Text(node, text), false);
        }

        public void OnFrameRejected(string transport, RejectReason reason)
        {
        }

        /// <summary>
        /// A node the directory forgot (Mesh:MaxNodes): its discovery configs are withdrawn (an empty retained
        /// config removes the entity in Home Assistant) and forgotten, so neither memory nor the broker's
        /// retained configs grow without bound. Heard again, it is announced again.
        /// </summary>
        private void Forget(uint node)
        {
            var withdrawn = new List<string>();
            lock (_lock)
            {
                withdrawn.AddRange(_announced.Where(a => a.Node == node).Select(a => a.Quantity));
                _announced.RemoveWhere(a => a.Node == node);
            }

            foreach (string quantity in withdrawn)
            {
                _outbox.Enqueue(_topics.Discovery(node, quantity), Array.Empty<byte>(), true);
            }
        }

        /// <summary>Every discovery config announced so far, to send again when Home Assistant restarts or the broker was replaced.</summary>
        public IReadOnlyList<(string Topic, byte[] Payload)> DiscoveryConfigs()
        {
            var list = new List<(string, byte[])>();
            lock (_lock)
            {
                foreach ((uint node, string quantity) in _announced)
                {
                    list.Add((_topics.Discovery(node, quantity), HomeAssistantDiscovery.SensorConfig(_topics, _gatewayNode, node, quantity, _directory.Find(node)?.Role)));
                }
            }

            return list;
        }

        private void Publish(IReadOnlyList<SensorReading> readings)
        {
            foreach (SensorReading r in readings)
            {
                if (_discovery)
                {
                    bool fresh;
                    lock (_lock)
                    {
                        fresh = _announced.Add((r.Node, r.Quantity));
                    }

                    if (fresh)
                    {
                        _outbox.Enqueue(_topics.Discovery(r.Node, r.Quantity),
                            HomeAssistantDiscovery.SensorConfig(_topics, _gatewayNode, r.Node, r.Quantity, _directory.Find(r.Node)?.Role), true);
                    }
                }

                _outbox.Enqueue(_topics.Reading(r.Node, r.Quantity), Payloads.Reading(r), true);
            }

            _roster.MarkPublished(readings[0].Node, readings[0].Sequence);
            Interlocked.Add(ref _readingsPublished, readings.Count);
        }

        private void ReleaseHeld()
        {
            long now = _time.GetTimestamp();
            while (true)
            {
                IReadOnlyList<SensorReading>? due;
                lock (_held)
                {
                    if (!_held.TryPeek(out due, out long at) || at > now)
                    {
                        return;
                    }

                    _held.Dequeue();
                }

                if (_roster.WasPublished(due[0].Node, due[0].Sequence))
                {
                    Interlocked.Add(ref _readingsLeftToOthers, due.Count);
                }
                else
                {
                    Publish(due);
                }
            }
        }

        public void Dispose()
        {
            _release.Dispose();
            ReleaseHeld();
        }
    }
}
