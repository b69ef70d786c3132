using System;
using System.Diagnostics;
using System.Threading;
using Mesh.Protocol;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Radio;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Topology;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// One run on several cores: the field is cut into vertical strips of equal node counts (shards),
    /// each simulated by its own <see cref="Simulation"/>, on its own thread while cores last. Time runs
    /// in windows as long as the shortest airtime (a conservative parallel discrete-event simulation
    /// whose lookahead is that airtime); a shard starts a window once the others have finished the one
    /// before. A transmission that reaches another shard is put on that shard's air at the start of its
    /// next window, before the frame ends: so it is received, collides and is counted as in one run,
    /// except that carrier sense and the frames ending inside that window at the far side do not see it
    /// (the boundary's approximation, simulator/README.md "Both cores in one run"). A run is a pure
    /// function of the scenario, its seed and the shard count; one shard is exactly the unsharded run.
    /// </summary>
    public sealed class ShardedSimulation
    {
        private readonly Simulation[] _shards;
        private readonly MetricsLog[,] _logs;
        private readonly ShardMailbox _mailbox;
        private readonly MetricsCollector _merged;
        private readonly long _windowUs;
        private readonly int _threads;
        private readonly long _endUs;
        private readonly MeshEvent _scratchEvent = new();
        private readonly byte[] _scratchHeader = new byte[FrameLayout.HeaderSize];

        /// <param name="threads">
        /// Threads to run the shards on (0: one per shard, at most one per core); a thread runs its shards
        /// one after the other within each window, so the result does not depend on it.
        /// </param>
        public ShardedSimulation(Scenario scenario, int shards, string? baseDirectory = null, int threads = 0)
        {
            string? problem = ScenarioValidator.FirstError(scenario, baseDirectory) ?? Unsupported(scenario, shards);
            if (problem != null)
            {
                throw new ArgumentException(problem);
            }

            var (x, _) = TopologyBuilder.Build(scenario.Topology, baseDirectory, new XorShiftRandom(scenario.Seed ^ 0x7090_1061UL));
            int[] owner = Strips(x, shards);
            _windowUs = new RadioModel(scenario.Radio, scenario.Seed).AirtimeMicroseconds(FrameLayout.MinFrameSize);
            _threads = threads > 0 ? Math.Min(threads, shards) : Math.Max(1, Math.Min(shards, Environment.ProcessorCount));
            _mailbox = new ShardMailbox(shards);
            _shards = new Simulation[shards];
            _logs = new MetricsLog[shards, WindowProgress.Ring];
            for (int s = 0; s < shards; s++)
            {
                for (int k = 0; k < WindowProgress.Ring; k++)
                {
                    _logs[s, k] = new MetricsLog();
                }
            }

            // Building a shard starts its nodes' cores: the shards build at once, each on its own thread.
            RunOnThreads(t =>
            {
                for (int s = t; s < shards; s += _threads)
                {
                    _shards[s] = new Simulation(scenario, baseDirectory, Simulation.SimulatedEpochSeconds,
                        new ShardContext(s, shards, owner, _windowUs, _mailbox, _logs[s, 0]));
                }
            });
            int aliveHonest = 0;
            foreach (Simulation s in _shards)
            {
                aliveHonest += s.OwnedAliveHonest;
            }

            foreach (Simulation s in _shards)
            {
                s.SetAliveHonest(aliveHonest);
            }

            _endUs = _shards[0].EndUs;
            _merged = _shards[0].NewMetricsCollector();
            _merged.AdoptOriginKinds(_shards[0].Metrics);
        }

        /// <summary>After <see cref="Run"/>: the whole network as one simulation (every node, the merged metrics), for the result files.</summary>
        public Simulation View => _shards[0];

        /// <summary>
        /// Why this scenario cannot run in <paramref name="shards"/> shards, naming the field; null when it
        /// can. Sharded runs carry readings, heartbeats and routing on any topology, radio and policy;
        /// what reads or changes several shards' nodes at one moment is refused.
        /// </summary>
        public static string? Unsupported(Scenario s, int shards)
        {
            if (shards < 1 || shards > 8)
            {
                return $"shards: {shards} is out of range (1 to 8)";
            }

            if (shards == 1)
            {
                return null;
            }

            if (s.Adversaries.Count > 0)
            {
                return $"adversaries: a sharded run has none (this scenario has {s.Adversaries.Count}); run it with 1 shard";
            }

            if (s.Mobility != null)
            {
                return "mobility: moving nodes change which shard hears them; run it with 1 shard";
            }

            if (s.KeyRefresh != null)
            {
                return "keyRefresh: a key refresh is driven across the whole network; run it with 1 shard";
            }

            if (s.Faults.Crashes.Count > 0 || s.Faults.ChurnRatePerHour > 0 || s.Faults.Partitions.Count > 0)
            {
                return "faults: crashes, churn and partitions change the whole network's reachability at once; run it with 1 shard";
            }

            if (s.Workload.BroadcastIntervalSeconds > 0)
            {
                return "workload.broadcastIntervalSeconds: a broadcast's origin is drawn network-wide; run broadcasts with 1 shard";
            }

            if (s.Workload.CommandIntervalSeconds > 0)
            {
                return "workload.commandIntervalSeconds: a command's gateway is chosen from every gateway's routes; run commands with 1 shard";
            }

            return null;
        }

        /// <summary>Runs to the scenario's end, window by window, and returns the whole network's metrics.</summary>
        public RunResult Run(IProgress<double>? progress = null)
        {
            var wall = Stopwatch.StartNew();
            var windows = new WindowProgress(_shards.Length);
            long lastWindow = (_endUs + 1 + _windowUs - 1) / _windowUs - 1; // the one holding the end
            long reportEvery = Math.Max(1, _endUs / 200);
            long nextReport = reportEvery;

            // The metrics of every window all shards have finished, in window order, by the thread running
            // shard 0 (between its windows: the others run on meanwhile).
            void ReplayFinished(long upTo)
            {
                for (long k = windows.Replayed + 1; k <= upTo; k++)
                {
                    ReplayLogs(k);
                    windows.NoteReplayed(k);
                    long reached = Math.Min((k + 1) * _windowUs, _endUs);
                    if (progress != null && reached >= nextReport)
                    {
                        progress.Report((double)reached / _endUs);
                        nextReport = reached + reportEvery;
                    }
                }
            }

            RunOnThreads(t =>
            {
                try
                {
                    for (long k = 0; k <= lastWindow; k++)
                    {
                        long windowEnd = Math.Min((k + 1) * _windowUs, _endUs + 1);
                        for (int s = t; s < _shards.Length; s += _threads)
                        {
                            windows.WaitToStart(s, k);
                            _shards[s].RunWindow(k, windowEnd, _logs[s, k % WindowProgress.Ring]);
                            if (s == 0)
                            {
                                ReplayFinished(Math.Min(windows.AllFinished, k - 1));
                            }

                            windows.Finished(s, k);
                        }
                    }
                }
                catch
                {
                    windows.Break();
                    throw;
                }
            });

            ReplayFinished(lastWindow);
            foreach (Simulation s in _shards)
            {
                _merged.AbsorbCounters(s.Metrics);
            }

            _shards[0].AdoptForResult(_shards, _merged);
            progress?.Report(1.0);
            RunResult result = _shards[0].Result(wall.Elapsed.TotalSeconds);
            result.Shards = _shards.Length;
            return result;
        }

        /// <summary>Every shard's calls of window <paramref name="window"/>, merged by time (ties: by shard), into the run's collector.</summary>
        private void ReplayLogs(long window)
        {
            int slot = (int)(window % WindowProgress.Ring);
            while (true)
            {
                int next = -1;
                long at = long.MaxValue;
                for (int s = 0; s < _shards.Length; s++)
                {
                    if (_logs[s, slot].NextTimeUs < at)
                    {
                        at = _logs[s, slot].NextTimeUs;
                        next = s;
                    }
                }

                if (next < 0)
                {
                    break;
                }

                _logs[next, slot].ReplayNext(_merged, _scratchEvent, _scratchHeader);
            }

            for (int s = 0; s < _shards.Length; s++)
            {
                _logs[s, slot].Reset();
            }
        }

        /// <summary>Each shard's node set: vertical strips by x, of equal counts (ties by index).</summary>
        public static int[] Strips(double[] x, int shards)
        {
            int n = x.Length;
            var order = new int[n];
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (a, b) => x[a] != x[b] ? x[a].CompareTo(x[b]) : a.CompareTo(b));
            var owner = new int[n];
            for (int k = 0; k < n; k++)
            {
                owner[order[k]] = (int)((long)k * shards / n);
            }

            return owner;
        }

        /// <summary>Runs <paramref name="work"/>(t) for every thread t, thread 0 being this one; rethrows the first failure.</summary>
        private void RunOnThreads(Action<int> work)
        {
            // The first failure that is not another shard giving up because of it.
            Exception? failure = null;
            var threadsLock = new object();
            void Fail(Exception e)
            {
                lock (threadsLock)
                {
                    if (failure == null || (failure is OperationCanceledException && !(e is OperationCanceledException)))
                    {
                        failure = e;
                    }
                }
            }

            var threads = new Thread[_threads];
            for (int t = 1; t < threads.Length; t++)
            {
                int thread = t;
                threads[t] = new Thread(() =>
                {
                    try
                    {
                        work(thread);
                    }
                    catch (Exception e)
                    {
                        Fail(e);
                    }
                }) { IsBackground = true, Name = $"mesh-sim shard thread {t}" };
                threads[t].Start();
            }

            try
            {
                work(0);
            }
            catch (Exception e)
            {
                Fail(e);
            }

            for (int t = 1; t < threads.Length; t++)
            {
                threads[t].Join();
            }

            if (failure != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
    }
}
