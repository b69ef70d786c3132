using System.Collections.Generic;
using Mesh.Protocol;
using Mesh.Protocol.Node;

namespace Mesh.Simulator.Engine
{
    public enum NodeBehaviour : byte
    {
        Honest = 0,
        BlackHole = 1,
        Replayer = 2,
        Forger = 3,

        /// <summary>Radio only; its frames come from and go to the real-time bridge.</summary>
        External = 4,

        /// <summary>
        /// An insider with valid keys running the normal node code (it relays like any sensor) that
        /// originates far more traffic than its share: see Simulation.Babbler.
        /// </summary>
        Babbler = 5,

        /// <summary>Outsider (no key): re-sends captured frames with hop fields altered (Simulation.AdversaryKinds).</summary>
        Tamperer = 6,

        /// <summary>Outsider: a repeater re-transmitting every frame it hears, verbatim, at once.</summary>
        Echo = 7,

        /// <summary>Outsider: captures commands, power-cycles their target and re-sends them after the restart.</summary>
        RebootReplayer = 8,

        /// <summary>Holds the network key and its own device key only: forges others' readings, acks and commands.</summary>
        Insider = 9,

        /// <summary>An insider whose device key the gateways no longer hold (the network key is not refreshed).</summary>
        EvictedInsider = 10,
    }

    /// <summary>A frame arriving at one receiver: collisions are decided while it is on air.</summary>
    /// <remarks>
    /// 32 bytes: the three flags sit next to the three 4-byte fields, so the two times need no padding
    /// (in declaration order with the flags last it was 40). Every frame arrival writes one and every
    /// collision check reads a receiver's row of them, so two fit in a cache line instead of 1.6.
    /// </remarks>
    public struct Incoming
    {
        public int Transmission;
        public float Rssi;

        /// <summary>The received power in mW, for summing interference.</summary>
        public float PowerMw;
        public bool Corrupted;

        /// <summary>Lost because the receiver itself transmitted during the frame.</summary>
        public bool HalfDuplex;

        /// <summary>Lost because a jammer was on the air at the receiver during the frame.</summary>
        public bool Jammed;
        public long StartUs;
        public long EndUs;
    }

    /// <summary>The simulator's view of one node: its protocol core (if it has one) and its radio state.</summary>
    public sealed class SimNode
    {
        public int Index;
        public uint Id;
        public double X;
        public double Y;
        public NodeRole Role;
        public NodeBehaviour Behaviour;
        public bool IsSink;

        /// <summary>Whether it carries other nodes' frames when it runs: it holds the key (honest, or a babbler) and is not an edge node.</summary>
        public bool CarriesOthers => (Behaviour == NodeBehaviour.Honest || Behaviour == NodeBehaviour.Babbler) && Role != NodeRole.Edge;
        public bool Alive = true;
        public MeshNode? Core;
        public IRandomSource Random = null!;
        public uint PersistedSequence = 1;

        /// <summary>Per-node overrides from roles.perNode: hop limit (-1: the network's) and forwarding policy (null: the scenario's).</summary>
        public int HopLimit = -1;
        public Scenarios.PolicyConfig? Policy;

        /// <summary>roles.perNode readingIntervalSeconds (seconds; -1: the workload's).</summary>
        public double ReadingIntervalSeconds = -1;

        /// <summary>When the core last asked for a report (or started), for the readings report spacing took away (Simulation.ReportSchedule).</summary>
        public long LastReportDueUs = -1;

        /// <summary>Readings the report schedule asked for in the measured window and spacing took away, in thousandths.</summary>
        public long SpacedAwayMilli;

        /// <summary>Babbler: its adversary settings (traffic, rate, line rate).</summary>
        public Scenarios.AdversarySettings? Babble;

        /// <summary>network.application nodeRunner: the shipped application around <see cref="Core"/>, and its radio queue.</summary>
        public Mesh.NodeApp.Runtime.NodeRunner? Runner;
        public NodeApp.SimulatedRadio? RunnerRadio;

        /// <summary>When the application asked to be stepped next (its own clock, ms).</summary>
        public long RunnerNextMs = long.MaxValue;

        /// <summary>Managed flooding with its own contention RSSI range (decided once, when the core starts).</summary>
        public bool RescalesContentionRssi;

        public long WakeToken;
        public long ScheduledWakeUs = long.MaxValue;

        /// <summary>Half duplex: the end of this node's own transmission in progress.</summary>
        public long TransmittingUntilUs;

        /// <summary>When the pending transmission attempt happens (after its random backoff); 0 when none.</summary>
        public long AttemptAtUs;

        /// <summary>This board's clock: its own drift and boot phase against simulated time.</summary>
        public NodeClock Clock;

        // The last wake-up converted to simulated time (see WakeUsAt).
        private long _wakeMs = long.MinValue;
        private long _wakeUs;

        /// <summary>
        /// <see cref="NodeClock.SimUsAt"/> for the core's next wake-up, remembered: a node asks after
        /// every frame it takes and its next timer (heartbeat, report, relay) is usually the one it asked
        /// about last time, while the conversion costs several floating-point divisions.
        /// </summary>
        public long WakeUsAt(long localMs)
        {
            if (localMs != _wakeMs)
            {
                _wakeUs = Clock.SimUsAt(localMs);
                _wakeMs = localMs;
            }

            return _wakeUs;
        }


        public long Transmissions;
        public long AirtimeUs;
        public long Receptions;

        /// <summary>Random waypoint mobility: where the node is heading and when it may leave after arriving.</summary>
        public bool Mobile;
        public double TargetX;
        public double TargetY;
        public long PauseUntilUs;

        /// <summary>Tamperer, echo, reboot replayer, insiders: their adversary settings.</summary>
        public Scenarios.AdversarySettings? Adversary;

        /// <summary>
        /// What the board persisted of executed commands (SettingsChanged / CommandCounter, as NodeRunner
        /// stores it): commander, highest counter executed, in pairs; restored when the core restarts.
        /// </summary>
        public uint[]? PersistedCommandCounters;

        /// <summary>
        /// Network keys the board stored (SettingsChanged / NetworkKey, as NodeRunner stores them): the
        /// current key (null: the scenario's), and the key in refresh with its phase (1 or 2), restored
        /// when the core restarts.
        /// </summary>
        public Mesh.Protocol.Security.NetworkKey? PersistedNetworkKey;
        public Mesh.Protocol.Security.NetworkKey? PersistedNextKey;
        public int PersistedNextPhase;

        /// <summary>Insiders: when the frame on the air (or last sent) was started.</summary>
        public long InjectedAtUs = -1;

        /// <summary>Records an executed command's counter, as the application persists it before running the command.</summary>
        public void PersistCommandCounter(uint commander, uint counter)
        {
            uint[] c = PersistedCommandCounters ?? System.Array.Empty<uint>();
            for (int i = 0; i + 1 < c.Length; i += 2)
            {
                if (c[i] == commander)
                {
                    if (counter > c[i + 1])
                    {
                        c[i + 1] = counter;
                    }

                    return;
                }
            }

            var grown = new uint[c.Length + 2];
            System.Array.Copy(c, grown, c.Length);
            grown[c.Length] = commander;
            grown[c.Length + 1] = counter;
            PersistedCommandCounters = grown;
        }

        /// <summary>Replayer: frames captured for re-sending.</summary>
        public readonly Queue<byte[]> Captured = new();
    }
}
