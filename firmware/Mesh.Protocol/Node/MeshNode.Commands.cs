using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Commands, both sides. The commander (a gateway, which holds the target's device key) sends along
    /// the learned reverse path and retries by flooding; the target executes a command only when its
    /// device key authenticates it and its counter is above the last one executed from that commander,
    /// answering retries with the stored outcome.
    /// </summary>
    public sealed partial class MeshNode
    {
        // ---------------------------------------------------------------- commander side

        /// <summary>
        /// Sends a command to one node along the learned reverse path; it is retried (flooded, with
        /// doubling timeouts) until acknowledged or CommandMaxAttempts is reached, and the outcome comes
        /// back as a CommandAcknowledged or CommandTimedOut event. Needs the target's device key.
        /// </summary>
        public SendResult SendCommand(uint target, CommandKind kind, byte[] args, int argOffset, int argLength, long nowMs, out ushort commandId)
        {
            commandId = 0;
            if (!NodeAddress.IsValidNodeId(target) || target == _id)
            {
                return SendResult.InvalidDestination;
            }

            if (argLength < 0 || argLength > CommandCodec.MaxArgs)
            {
                return SendResult.PayloadTooLarge;
            }

            int slot = _pending != null ? _pending.FindFree() : -1;
            if (slot < 0)
            {
                return SendResult.NoCommandSlot;
            }

            ushort id = _nextCommandId++;
            _pending.Prepare(slot, target, id, kind, args, argOffset, argLength);

            // The counter is the sequence number this first attempt will carry: strictly rising, never
            // reused (checkpoints), and the same on every retry.
            uint counter = _nextSequence;
            int n = _pending.Encode(slot, counter, _txPayload);
            SendResult result = Originate(MessageType.Command, target, _routes.NextHop(target, nowMs), n, nowMs, 0);
            if (result != SendResult.Queued)
            {
                return result;
            }

            _pending.Start(slot, counter, nowMs, nowMs + _commandTimer.TimeoutMs);
            commandId = id;
            return SendResult.Queued;
        }

        private void CompleteCommand(FrameHeader h, long nowMs)
        {
            if (_pending == null)
            {
                return; // this node sends no commands: an ack cannot be for it
            }

            ushort id = LittleEndian.ReadUInt16(_rxPayload, RxAt);
            int slot = _pending.Find(h.Origin, id);
            if (slot < 0)
            {
                return; // a late or repeated ack for a command already settled: nothing to do
            }

            if (_pending.AttemptsAt(slot) == 1)
            {
                _commandTimer.Sample(_pending.SinceFirstAttempt(slot, nowMs)); // Karn: first attempts only
            }

            _pending.Release(slot);
            MeshEvent e = _events.Reserve();
            FillFromFrame(e, MeshEventKind.CommandAcknowledged, h, 0, nowMs);
            e.CommandId = id;
            e.CommandKind = (CommandKind)_rxPayload[RxAt + 2];
            e.CommandStatus = (CommandStatus)_rxPayload[RxAt + 3];
            _events.Commit();
            _counters.CommandsAcknowledged++;
        }

        private void ServiceCommands(long nowMs)
        {
            if (_pending == null)
            {
                return;
            }

            for (int i = 0; i < _pending.Capacity; i++)
            {
                if (!_pending.IsUsed(i) || nowMs < _pending.DeadlineAt(i))
                {
                    continue;
                }

                if (_pending.AttemptsAt(i) >= _commandMaxAttempts)
                {
                    MeshEvent e = _events.Reserve();
                    if (e == null)
                    {
                        continue; // report the failure once the application has drained its events
                    }

                    FillLocal(e, MeshEventKind.CommandTimedOut, MessageType.Command, _id, nowMs);
                    e.Origin = _pending.TargetAt(i);
                    e.CommandId = _pending.IdAt(i);
                    e.CommandKind = _pending.KindAt(i);
                    e.CommandStatus = CommandStatus.Failed;
                    _events.Commit();
                    _pending.Release(i);
                    _routes.Forget(_pending.TargetAt(i));
                    _counters.CommandsTimedOut++;
                    continue;
                }

                // The path may be broken: retry by flooding, which needs no route.
                int n = _pending.Encode(i, _pending.CounterAt(i), _txPayload);
                if (Originate(MessageType.Command, _pending.TargetAt(i), NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
                {
                    // Exponential back-off from the current timeout (RFC 6298 §5.5), at most CommandTimeoutMs × 2^attempt.
                    _pending.Retried(i, nowMs + ((long)_commandTimer.TimeoutMs << _pending.AttemptsAt(i)));
                    _counters.CommandRetries++;
                }
                else
                {
                    _pending.Postpone(i, nowMs + 50); // transmit queue full or checkpoint pending: try again shortly
                }
            }
        }

        // ---------------------------------------------------------------- target side

        /// <summary>Runs an authenticated command addressed to us, once per counter.</summary>
        private RejectReason ExecuteCommand(FrameHeader h, int rssi, long nowMs)
        {
            ushort id = CommandCodec.CommandId(_rxPayload, RxAt);
            CommandKind kind = CommandCodec.Kind(_rxPayload, RxAt);
            uint counter = CommandCodec.Counter(_rxPayload, RxAt);
            bool flooded = h.NextHop == NodeAddress.None;
            int seen = _recent.Find(h.Origin, id, counter);
            if (seen >= 0)
            {
                // A retry: the commander did not get our answer. Answer the way this copy came.
                _recent.CameFlooded(seen, flooded);
                if (_recent.IsAnswered(seen))
                {
                    SendAck(seen, nowMs);
                }

                return RejectReason.None;
            }

            if (_commandCounters.WasExecuted(h.Origin, counter))
            {
                if (counter == _commandCounters.Highest(h.Origin))
                {
                    // The command executed last, retried after we restarted and forgot its outcome: say
                    // so rather than run it again.
                    int r = _recent.Add(h.Origin, id, counter, kind, flooded);
                    _recent.Answer(r, CommandStatus.AlreadyExecuted);
                    SendAck(r, nowMs);
                    return RejectReason.None;
                }

                // A replay (or a retry of an older command whose outcome we forgot): never run twice,
                // never answered either, so a replayer cannot make this node transmit.
                return RejectReason.CommandReplayed;
            }

            // Persisted before anything runs: SettingsChanged(CommandCounter) is the first event, and
            // carries the highest counter executed (what a restarted node must refuse up to).
            _commandCounters.Record(h.Origin, counter);
            MeshEvent s = BeginSettingsChanged(SettingsChange.CommandCounter, nowMs);
            LittleEndian.WriteUInt32(s.Payload, 1, h.Origin);
            LittleEndian.WriteUInt32(s.Payload, 5, _commandCounters.Highest(h.Origin));
            s.PayloadLength = 9;
            _events.Commit();

            int slot = _recent.Add(h.Origin, id, counter, kind, flooded);
            int argLength = CommandCodec.ArgLength(_rxPayload, RxAt);
            bool core = CommandCodec.IsHandledByCore(kind);
            CommandStatus status = core ? ApplyCoreCommand(kind, argLength, nowMs) : CommandStatus.Ok;

            Deliver(h, CommandCodec.HeaderSize + argLength, rssi, nowMs);
            if (core)
            {
                // Acknowledged once the command is delivered; the application answers its own kinds.
                _recent.Answer(slot, status);
                SendAck(slot, nowMs);
            }

            return RejectReason.None;
        }

        private CommandStatus ApplyCoreCommand(CommandKind kind, int argLength, long nowMs)
        {
            int a = RxAt + CommandCodec.HeaderSize;
            switch (kind)
            {
                case CommandKind.SetReportInterval:
                    if (argLength != 4)
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    uint seconds = LittleEndian.ReadUInt32(_rxPayload, a);
                    if (seconds > 7u * 24u * 3600u)
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    _reportIntervalMs = seconds * 1000L;
                    _nextReportMs = seconds == 0 ? long.MaxValue : nowMs + _reportIntervalMs;
                    RaiseSettingsChanged(SettingsChange.ReportInterval, a, 4, nowMs);
                    return CommandStatus.Ok;

                case CommandKind.SetForwardingPolicy:
                    // Read into an object made here: SetPolicy builds a new policy (and its own copy of these
                    // settings) anyway, so a scratch kept for this rare command would only hold heap for ever.
                    PolicySettings policy = new PolicySettings();
                    if (!PolicySettings.TryRead(_rxPayload, a, argLength, policy))
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    SetPolicy(policy);
                    RaiseSettingsChanged(SettingsChange.ForwardingPolicy, a, PolicySettings.EncodedSize, nowMs);
                    return CommandStatus.Ok;

                case CommandKind.SetNetworkKey:
                    return ApplyNetworkKey(a, argLength, nowMs);

                case CommandKind.KeyRefreshPhase:
                    if (argLength != 2 || !_keys.Advance(_rxPayload[a], _rxPayload[a + 1]))
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    RaiseKeyChange(_rxPayload[a], _rxPayload[a + 1], null, nowMs);
                    return CommandStatus.Ok;

                case CommandKind.SetDeviceKey:
                    return ApplyDeviceKey(a, argLength, nowMs);

                default:
                    return CommandStatus.Ok; // Ping
            }
        }

        private CommandStatus ApplyNetworkKey(int a, int argLength, long nowMs)
        {
            CommandStatus refusal;
            byte[] secret = KeyArgument(a, argLength, out refusal);
            if (secret == null)
            {
                return refusal;
            }

            if (!_keys.Distribute(new NetworkKey(secret, _rxPayload[a], _crypto)))
            {
                return CommandStatus.InvalidArgument;
            }

            RaiseKeyChange(_rxPayload[a], NetworkKeyRing.PhaseDistributed, secret, nowMs);
            return CommandStatus.Ok;
        }

        private CommandStatus ApplyDeviceKey(int a, int argLength, long nowMs)
        {
            CommandStatus refusal;
            byte[] secret = KeyArgument(a, argLength, out refusal);
            if (secret == null)
            {
                return refusal;
            }

            // The ack for this command still goes out under the old key (the commander may not have
            // switched yet); everything after it under the new one.
            _pendingDeviceKey = new DeviceKey(_id, secret, _rxPayload[a], _crypto);
            MeshEvent e = BeginSettingsChanged(SettingsChange.DeviceKey, nowMs);
            e.Payload[1] = _rxPayload[a];
            e.Payload[2] = (byte)secret.Length;
            System.Array.Copy(secret, 0, e.Payload, 3, secret.Length);
            e.PayloadLength = 3 + secret.Length;
            _events.Commit();
            return CommandStatus.Ok;
        }

        /// <summary>
        /// The key carried by a key command: index(u8) then 16 or 32 key bytes. Null (and why) when the
        /// arguments are malformed or this node cannot build keys. Allocates: once per key change, never per frame.
        /// </summary>
        private byte[] KeyArgument(int a, int argLength, out CommandStatus refusal)
        {
            int keyLength = argLength - 1;
            if (keyLength != KeyHex.ShortKeyBytes && keyLength != KeyHex.LongKeyBytes || _rxPayload[a] > 15)
            {
                refusal = CommandStatus.InvalidArgument;
                return null;
            }

            if (_crypto == null)
            {
                refusal = CommandStatus.Unsupported;
                return null;
            }

            refusal = CommandStatus.Ok;
            byte[] secret = new byte[keyLength];
            System.Array.Copy(_rxPayload, a + 1, secret, 0, keyLength);
            return secret;
        }

        /// <summary>Reserves a SettingsChanged event with its kind in Payload[0]; the caller fills the rest and commits.</summary>
        private MeshEvent BeginSettingsChanged(SettingsChange what, long nowMs)
        {
            MeshEvent e = _events.Reserve();
            FillLocal(e, MeshEventKind.SettingsChanged, 0, _id, nowMs);
            e.Payload[0] = (byte)what;
            return e;
        }

        private void RaiseSettingsChanged(SettingsChange what, int from, int length, long nowMs)
        {
            MeshEvent e = BeginSettingsChanged(what, nowMs);
            System.Array.Copy(_rxPayload, from, e.Payload, 1, length);
            e.PayloadLength = 1 + length;
            _events.Commit();
        }

        /// <summary>A network key refresh step for the application to store; <paramref name="key"/> only with phase 1.</summary>
        private void RaiseKeyChange(int index, int phase, byte[] key, long nowMs)
        {
            MeshEvent e = BeginSettingsChanged(SettingsChange.NetworkKey, nowMs);
            int keyLength = key == null ? 0 : key.Length;
            e.Payload[1] = (byte)index;
            e.Payload[2] = (byte)phase;
            e.Payload[3] = (byte)keyLength;
            if (keyLength > 0)
            {
                System.Array.Copy(key, 0, e.Payload, 4, keyLength);
            }

            e.PayloadLength = 4 + keyLength;
            _events.Commit();
        }

        /// <summary>
        /// Acknowledges a command the application executed (Identify, Reboot, or its own kinds). Safe to
        /// call more than once; later retries of the command are answered with this status.
        /// </summary>
        public SendResult Acknowledge(uint commander, ushort commandId, CommandStatus status, long nowMs)
        {
            int r = _recent.Find(commander, commandId);
            if (r < 0)
            {
                return SendResult.InvalidDestination;
            }

            _recent.Answer(r, status);
            return SendAck(r, nowMs);
        }

        /// <summary>
        /// Answers the command in recent slot <paramref name="r"/> the way it came. A directed command is
        /// answered along the reverse path at once. A flooded one (a retry: the path had failed) is
        /// answered by flooding too, after its own flood has passed this node's neighbourhood, so the
        /// single answer does not collide with the command's wave.
        /// </summary>
        private SendResult SendAck(int r, long nowMs)
        {
            uint commander = _recent.OriginAt(r);
            int n = AckCodec.Encode(_txPayload, 0, _recent.IdAt(r), _recent.KindAt(r), _recent.StatusAt(r));
            SendResult result;
            if (!_recent.IsFlooded(r))
            {
                result = Originate(MessageType.Ack, commander, _routes.NextHop(commander, nowMs), n, nowMs, 0);
            }
            else
            {
                PolicySettings p = _policy.Settings;
                int settle = 2 * (p.MaxDelayMs + p.JitterMs) + RandomExtensions.NextBelow(_random, 4 * p.JitterMs + 1);
                result = Originate(MessageType.Ack, commander, NodeAddress.None, n, nowMs, settle);
            }

            if (_pendingDeviceKey != null)
            {
                _deviceKey = _pendingDeviceKey;
                _pendingDeviceKey = null;
            }

            return result;
        }
    }
}
