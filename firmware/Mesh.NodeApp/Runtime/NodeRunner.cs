using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// One node's application around the protocol core, the same on the board and the desktop. The radio
    /// hands frames in from its own thread (<see cref="OnFrameReceived"/>); the loop calls
    /// <see cref="Step"/> with the time and sleeps until the time it returns (or until a frame arrives).
    /// A step feeds the core, answers its events (reads the sensors when a report is due, executes the
    /// commands the core leaves to the application, persists settings the gateway changed), transmits what
    /// the core wants sent, and drives the status LED. Steady state allocates nothing per frame.
    /// </summary>
    public sealed class NodeRunner
    {
        /// <summary>How long a rebooting node waits so that its acknowledgement gets onto the air first.</summary>
        public const long RebootDelayMs = 1500;

        /// <summary>Longest sleep between steps, so the watchdog is fed and the LED kept current.</summary>
        public const long MaxSleepMs = 1000;

        private readonly MeshNode _node;
        private readonly NodeSettings _settings;
        private readonly IRadio _radio;
        private readonly SensorSet _sensors;
        private readonly IDeviceControl _device;
        private readonly SettingsStore _store;
        private readonly ILog _log;
        private readonly StatusIndicator _status;
        private readonly FrameInbox _inbox;
        private readonly byte[] _rx = new byte[FrameLayout.MaxFrameSize];
        private readonly ReadingSet _readings;
        private long _rebootAtMs = long.MaxValue;
        private int _consecutiveRadioFailures;
        private uint _savedSequenceStart;
        private bool _sendFailureLogged;
        private bool _checkpointFailureLogged;

        /// <param name="tables">Table sizes (a board's <see cref="BoardProfile.Tables"/>; null: the core's); read here, not kept.</param>
        public NodeRunner(NodeSettings settings, NodeTables tables, uint nodeId, ICryptoProvider crypto, IRandomSource random, IRadio radio, SensorSet sensors,
            IStatusLed led, IDeviceControl device, SettingsStore store, ILog log, long nowMs, IDeviceKeyDirectory deviceKeys = null)
        {
            if (tables == null)
            {
                tables = new NodeTables();
            }

            _settings = settings;
            _radio = radio;
            _sensors = sensors;
            _readings = new ReadingSet(sensors.MaxValues); // as many values as its sensors give, not a frame's 32
            _device = device;
            _store = store;
            _log = log;
            _status = new StatusIndicator(led);
            _inbox = new FrameInbox(tables.InboxSlots < 1 ? 1 : tables.InboxSlots);
            NodeConfig config = NodeConfigFactory.For(settings, tables, nodeId, crypto, random);
            // An edge application that shows other nodes' readings holds their device keys (a gateway's
            // registry does the same); a plain node has none and only relays them.
            config.DeviceKeys = deviceKeys;
            _node = new MeshNode(config, new NetworkKey(settings.Key, settings.KeyIndex, crypto), random, nowMs);
            RestoreKeyRefresh(settings, crypto);
            _savedSequenceStart = settings.SequenceStart;
            SaveSequenceIfMoved(nowMs); // the checkpoint is ahead of the start: store it (and confirm it) before the first frame
            Log(LogLevel.Info, "node " + nodeId + " on network " + settings.NetworkId + " as " + NodeSettingsText.RoleName(settings.Role)
                + ", " + NodeSettingsText.PolicyName(settings.Policy.Kind) + ", over " + radio.Name + "; " + sensors.Count + " sensor(s)");
        }

        public MeshNode Node
        {
            get { return _node; }
        }

        public NodeSettings Settings
        {
            get { return _settings; }
        }

        public FrameInbox Inbox
        {
            get { return _inbox; }
        }

        public LedPattern Led
        {
            get { return _status.Shown; }
        }

        /// <summary>Transmissions the radio refused.</summary>
        public long RadioFailures { get; private set; }

        /// <summary>Application messages (readings, text) handed to <see cref="MessageReceived"/>.</summary>
        public MessageHandler MessageReceived;

        /// <summary>Called by the radio driver, on its thread, for every frame heard. False when the inbox was full (counted).</summary>
        public bool OnFrameReceived(byte[] frame, int offset, int length, int rssi)
        {
            return _inbox.TryPut(frame, offset, length, rssi);
        }

        /// <summary>Does everything due at <paramref name="nowMs"/>; returns when to call again.</summary>
        public long Step(long nowMs)
        {
            int length;
            int rssi;
            while (_inbox.TryTake(_rx, out length, out rssi))
            {
                _node.Receive(_rx, 0, length, rssi, nowMs);
            }

            _node.Poll(nowMs);
            // Handled where they lie in the node's queue: a copy would cost one more event's payload buffer.
            MeshEvent e;
            while ((e = _node.PeekEvent()) != null)
            {
                try
                {
                    Handle(e, nowMs);
                }
                finally
                {
                    _node.DropEvent();
                }
            }

            // Sent from the node's transmit queue as it lies (valid until the next call into the node): a copy
            // would cost a frame buffer of its own.
            byte[] frame;
            while ((frame = _node.TakeTransmitInPlace(nowMs, out length)) != null)
            {
                if (_radio.Transmit(frame, 0, length))
                {
                    _consecutiveRadioFailures = 0;
                }
                else
                {
                    RadioFailures++;
                    _consecutiveRadioFailures++;
                    if (_consecutiveRadioFailures == StatusIndicator.RadioFailuresForError)
                    {
                        Log(LogLevel.Error, "radio " + _radio.Name + " refused " + _consecutiveRadioFailures + " frames in a row");
                    }
                }
            }

            SaveSequenceIfMoved(nowMs);
            NodeCounters c = _node.Counters;
            _status.Update(nowMs, _node.Neighbours.Count, c.RelaysScheduled - c.RelaysCancelled, _consecutiveRadioFailures,
                _sensors.Count > 0 && _sensors.Failing == _sensors.Count);
            _device.FeedWatchdog();

            if (nowMs >= _rebootAtMs)
            {
                Log(LogLevel.Info, "rebooting as the gateway asked");
                _rebootAtMs = long.MaxValue;
                _device.Reboot();
            }

            long next = _node.NextWakeMs;
            long led = _status.NextChangeMs(nowMs);
            if (led < next)
            {
                next = led;
            }

            if (_rebootAtMs < next)
            {
                next = _rebootAtMs;
            }

            if (next > nowMs + MaxSleepMs)
            {
                next = nowMs + MaxSleepMs;
            }

            return next < nowMs ? nowMs : next;
        }

        private void Handle(MeshEvent e, long nowMs)
        {
            switch (e.Kind)
            {
                case MeshEventKind.ReportDue:
                    Report(nowMs);
                    return;
                case MeshEventKind.SettingsChanged:
                    SettingsChanged(e);
                    return;
                case MeshEventKind.Message:
                    if (e.Type == MessageType.Command && e.Destination == _node.NodeId && e.PayloadLength >= CommandCodec.HeaderSize)
                    {
                        Command(e, nowMs);
                    }
                    else if (e.Type == MessageType.Text)
                    {
                        Log(LogLevel.Info, "text from " + e.Origin + ": " + Utf8.GetString(e.Payload, 0, e.PayloadLength));
                    }

                    if (MessageReceived != null)
                    {
                        MessageReceived(e);
                    }

                    return;
                default:
                    return;
            }
        }

        private void Report(long nowMs)
        {
            if (_sensors.ReadAll(_readings) == 0 || _readings.Count == 0)
            {
                return; // each failing sensor has said so once
            }

            SendResult r = _node.SendReadings(_readings, nowMs);
            if (r != SendResult.Queued && !_sendFailureLogged)
            {
                _sendFailureLogged = true;
                Log(LogLevel.Warning, "readings not sent: " + r.ToString() + " (reported once)");
            }
            else if (r == SendResult.Queued)
            {
                _sendFailureLogged = false;
            }
        }

        private void Command(MeshEvent e, long nowMs)
        {
            CommandKind kind = CommandCodec.Kind(e.Payload, 0);
            ushort id = CommandCodec.CommandId(e.Payload, 0);
            int argLength = CommandCodec.ArgLength(e.Payload, 0);
            int a = CommandCodec.HeaderSize;
            switch (kind)
            {
                case CommandKind.SetReportInterval:
                case CommandKind.SetForwardingPolicy:
                case CommandKind.SetNetworkKey:
                case CommandKind.KeyRefreshPhase:
                case CommandKind.SetDeviceKey:
                    return; // applied and acknowledged by the core, persisted on its SettingsChanged event
                case CommandKind.Ping:
                    return; // answered by the core
                case CommandKind.Identify:
                    int blinkSeconds = argLength == 2 ? LittleEndian.ReadUInt16(e.Payload, a) : 5;
                    _status.Identify(nowMs + (blinkSeconds * 1000L));
                    Log(LogLevel.Info, "identify for " + blinkSeconds + " s, asked by node " + e.Origin);
                    _node.Acknowledge(e.Origin, id, CommandStatus.Ok, nowMs);
                    return;
                case CommandKind.Reboot:
                    _node.Acknowledge(e.Origin, id, CommandStatus.Ok, nowMs);
                    if (_rebootAtMs == long.MaxValue)
                    {
                        _rebootAtMs = nowMs + RebootDelayMs;
                        Log(LogLevel.Info, "reboot asked by node " + e.Origin + "; restarting in " + RebootDelayMs + " ms");
                    }

                    return;
                default:
                    _node.Acknowledge(e.Origin, id, CommandStatus.Unsupported, nowMs);
                    return;
            }
        }

        /// <summary>
        /// Stores the core's checkpoint (with the network time) when it moved, and confirms it to the core
        /// only once the store reports it written: the core sends nothing beyond a confirmed checkpoint.
        /// </summary>
        private void SaveSequenceIfMoved(long nowMs)
        {
            uint checkpoint = _node.SequenceCheckpoint;
            if (checkpoint != _savedSequenceStart || _node.CheckpointDue)
            {
                _settings.SequenceStart = checkpoint;
                _settings.SequenceStartLost = false;
                _settings.NetworkTime = _node.NetworkTime(nowMs);
                if (_store.Save(_settings))
                {
                    _savedSequenceStart = checkpoint;
                    _node.ConfirmCheckpoint(checkpoint);
                }
                else if (!_checkpointFailureLogged)
                {
                    _checkpointFailureLogged = true;
                    Log(LogLevel.Error, "sequence checkpoint not stored: the node stays silent until it is (it must never reuse a nonce)");
                }
            }
        }

        /// <summary>Puts back a key refresh this node was in when it stopped: the next key held, and sent under in phase 2.</summary>
        private void RestoreKeyRefresh(NodeSettings settings, ICryptoProvider crypto)
        {
            if (settings.NextKey == null || settings.Key == null || settings.NextKeyIndex == settings.KeyIndex)
            {
                return;
            }

            NetworkKeyRing ring = _node.NetworkKeys;
            if (!ring.Distribute(new NetworkKey(settings.NextKey, settings.NextKeyIndex, crypto)))
            {
                Log(LogLevel.Warning, "stored next network key " + settings.NextKeyIndex + " not accepted; the key refresh must be repeated for this node");
                return;
            }

            if (settings.NextKeyPhase == NetworkKeyRing.PhaseSwitched)
            {
                ring.Advance(settings.NextKeyIndex, NetworkKeyRing.PhaseSwitched);
            }

            Log(LogLevel.Info, "key refresh resumed: network key " + settings.NextKeyIndex + " held (phase " + settings.NextKeyPhase + ")");
        }

        /// <summary>Persists what the core changed (it reports it before the command that caused it runs).</summary>
        private void SettingsChanged(MeshEvent e)
        {
            int a = 1;
            switch ((SettingsChange)e.Payload[0])
            {
                case SettingsChange.ReportInterval:
                    _settings.ReportIntervalSeconds = (int)LittleEndian.ReadUInt32(e.Payload, a);
                    Log(LogLevel.Info, "report interval set to " + _settings.ReportIntervalSeconds + " s by the gateway");
                    break;
                case SettingsChange.ForwardingPolicy:
                    // Read into the object the settings then keep (a policy change is rare; no scratch held for it).
                    var policy = new Protocol.Forwarding.PolicySettings();
                    if (!Protocol.Forwarding.PolicySettings.TryRead(e.Payload, a, e.PayloadLength - 1, policy))
                    {
                        return;
                    }

                    _settings.Policy = policy;
                    Log(LogLevel.Info, "forwarding policy set to " + NodeSettingsText.PolicyName(_settings.Policy.Kind) + " by the gateway");
                    break;
                case SettingsChange.CommandCounter:
                    _settings.CommandCounters = WithCounter(_settings.CommandCounters, LittleEndian.ReadUInt32(e.Payload, a), LittleEndian.ReadUInt32(e.Payload, a + 4));
                    break;
                case SettingsChange.NetworkKey:
                    int index = e.Payload[1];
                    int phase = e.Payload[2];
                    int length = e.Payload[3];
                    // The key in refresh is stored beside the current one at every phase, so a node that
                    // restarts mid-refresh comes back holding both (RestoreKeyRefresh), as the gateway expects.
                    if (phase == NetworkKeyRing.PhaseDistributed && length > 0)
                    {
                        _settings.NextKey = new byte[length];
                        System.Array.Copy(e.Payload, 4, _settings.NextKey, 0, length);
                        _settings.NextKeyIndex = index;
                        _settings.NextKeyPhase = NetworkKeyRing.PhaseDistributed;
                        Log(LogLevel.Info, "new network key " + index + " received (key refresh phase 1)");
                        break;
                    }

                    if (phase == NetworkKeyRing.PhaseSwitched && _settings.NextKey != null && _settings.NextKeyIndex == index)
                    {
                        _settings.NextKeyPhase = NetworkKeyRing.PhaseSwitched;
                        Log(LogLevel.Info, "sending under network key " + index + " (key refresh phase 2)");
                        break;
                    }

                    if (phase == NetworkKeyRing.PhaseRevoke && _settings.NextKey != null && _settings.NextKeyIndex == index)
                    {
                        _settings.Key = _settings.NextKey;
                        _settings.KeyIndex = index;
                        _settings.NextKey = null;
                        _settings.NextKeyPhase = 0;
                        Log(LogLevel.Info, "network key " + index + " now current (key refresh complete)");
                        break;
                    }

                    Log(LogLevel.Info, "key refresh of network key " + index + ": phase " + phase);
                    return;
                case SettingsChange.DeviceKey:
                    int keyLength = e.Payload[2];
                    byte[] deviceKey = new byte[keyLength];
                    System.Array.Copy(e.Payload, 3, deviceKey, 0, keyLength);
                    _settings.DeviceKey = deviceKey;
                    _settings.DeviceKeyIndex = e.Payload[1];
                    Log(LogLevel.Info, "device key " + e.Payload[1] + " installed by the gateway");
                    break;
                default:
                    return;
            }

            if (!_store.Save(_settings))
            {
                Log(LogLevel.Error, "settings not stored after a change from the gateway");
            }
        }

        private static uint[] WithCounter(uint[] pairs, uint commander, uint counter)
        {
            for (int i = 0; i + 1 < pairs.Length; i += 2)
            {
                if (pairs[i] == commander)
                {
                    pairs[i + 1] = counter;
                    return pairs;
                }
            }

            uint[] grown = new uint[pairs.Length + 2];
            System.Array.Copy(pairs, grown, pairs.Length);
            grown[pairs.Length] = commander;
            grown[pairs.Length + 1] = counter;
            return grown;
        }

        private void Log(LogLevel level, string message)
        {
            if (_log != null)
            {
                _log.Write(level, message);
            }
        }
    }
}
