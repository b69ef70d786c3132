using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using Mesh.Gateway.Model;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Http
{
    /// <summary>
    /// Server-sent events for the dashboard (GET /api/events). Changes are coalesced: every half second
    /// each browser gets one "nodes" event with the nodes that changed and one "readings" event with
    /// the readings since the last one (at most 500), so a busy mesh cannot flood a browser.
    /// </summary>
    public sealed class LiveFeed : IMeshListener, IDisposable
    {
        private const int MaxReadingsPerTick = 500;
        private readonly NodeDirectory _directory;
        private readonly JsonSerializerOptions _json;
        private readonly object _lock = new();
        private readonly HashSet<uint> _dirty = new();
        private readonly Queue<SensorReading> _readings = new();
        private readonly List<Channel<string>> _subscribers = new();
        private readonly Timer _timer;

        public LiveFeed(NodeDirectory directory, JsonSerializerOptions json)
        {
            _directory = directory;
            _json = json;
            _directory.Changed += node =>
            {
                lock (_lock)
                {
                    _dirty.Add(node);
                }
            };
            _timer = new Timer(_ => Tick(), null, 500, 500);
        }

        public int Subscribers
        {
            get
            {
                lock (_lock)
                {
                    return _subscribers.Count;
                }
            }
        }

        public ChannelReader<string> Subscribe(out Action unsubscribe)
        {
            var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
            lock (_lock)
            {
                _subscribers.Add(channel);
            }

            unsubscribe = () =>
            {
                lock (_lock)
                {
                    _subscribers.Remove(channel);
                }
            };
            return channel.Reader;
        }

        public void OnReadings(IReadOnlyList<SensorReading> readings)
        {
            lock (_lock)
            {
                if (_subscribers.Count == 0)
                {
                    return;
                }

                foreach (SensorReading r in readings)
                {
                    _readings.Enqueue(r);
                    if (_readings.Count > MaxReadingsPerTick)
                    {
                        _readings.Dequeue();
                    }
                }
            }
        }

        public void OnHeartbeat(NodeHeartbeat heartbeat)
        {
        }

        /// <summary>The same JSON as the MQTT result topic and the HTTP answer: one naming scheme for outcomes.</summary>
        public void OnCommandOutcome(CommandOutcome outcome) => Send("command", System.Text.Encoding.UTF8.GetString(Mqtt.Payloads.CommandResult(outcome)));

        public void OnText(ushort network, uint node, string text)
        {
        }

        public void OnFrameRejected(string transport, RejectReason reason)
        {
        }

        private void Tick()
        {
            uint[] dirty;
            SensorReading[] readings;
            lock (_lock)
            {
                dirty = new uint[_dirty.Count];
                _dirty.CopyTo(dirty);
                _dirty.Clear();
                readings = _readings.ToArray();
                _readings.Clear();
                if (_subscribers.Count == 0)
                {
                    return;
                }
            }

            if (dirty.Length > 0)
            {
                var nodes = new List<NodeSnapshot>(dirty.Length);
                foreach (uint id in dirty)
                {
                    if (_directory.Find(id) is { } n)
                    {
                        nodes.Add(n);
                    }
                }

                Send("nodes", JsonSerializer.Serialize(nodes, _json));
            }

            if (readings.Length > 0)
            {
                Send("readings", JsonSerializer.Serialize(readings, _json));
            }
        }

        private void Send(string type, string json)
        {
            string message = "event: " + type + "\ndata: " + json + "\n\n";
            lock (_lock)
            {
                foreach (Channel<string> c in _subscribers)
                {
                    c.Writer.TryWrite(message);
                }
            }
        }

        public void Dispose() => _timer.Dispose();
    }
}
