using System;
using System.Collections.Generic;
using System.IO;
using Mesh.Protocol.Wire;

namespace Mesh.Simulator.Scenarios
{
    /// <summary>Checks a scenario field by field; every problem names the JSON path and what is wrong.</summary>
    public static class ScenarioValidator
    {
        private static readonly string[] TopologyKinds = { "grid", "line", "random", "clustered", "file" };
        private static readonly string[] RadioModels = { "logDistance", "unitDisk" };
        private static readonly string[] RadioPresets = { "espNow", "lora" };
        private static readonly string[] LowDataRateModes = { "auto", "on", "off" };
        private static readonly string[] PolicyKinds = { "flooding", "gossip", "managed", "structured" };
        private static readonly string[] AdversaryKinds = { "replayer", "forger", "blackhole", "jammer", "babbler", "tamperer", "echo", "rebootReplayer", "insider", "evictedInsider" };
        private static readonly string[] BabblerTraffic = { "readings", "broadcast" };

        public static string? FirstError(Scenario s, string? baseDirectory)
        {
            var errors = Validate(s, baseDirectory);
            return errors.Count == 0 ? null : errors[0];
        }

        public static List<string> Validate(Scenario s, string? baseDirectory)
        {
            var e = new List<string>();
            if (s.DurationSeconds <= 0)
            {
                e.Add("durationSeconds: must be positive");
            }

            if (s.WarmupSeconds < 0 || s.WarmupSeconds >= s.DurationSeconds)
            {
                e.Add("warmupSeconds: must be at least 0 and less than durationSeconds");
            }

            if (s.DrainSeconds is double drain && (drain < 0 || s.WarmupSeconds + drain >= s.DurationSeconds))
            {
                e.Add("drainSeconds: must be at least 0 and leave time after warmupSeconds (warmup + drain < duration)");
            }

            // The one key format of every part of Mesh (node settings, gateway, registry).
            if (Protocol.Security.KeyHex.Check(s.Network.Key ?? "") is string keyProblem)
            {
                e.Add("network.key: " + keyProblem);
            }

            if (s.Network.HopLimit < 0 || s.Network.HopLimit > 32)
            {
                e.Add("network.hopLimit: must be 0..32");
            }

            if (s.Network.ClockDriftPpm < 0 || s.Network.ClockDriftPpm > 1000)
            {
                e.Add("network.clockDriftPpm: must be 0..1000");
            }

            if (s.Network.Application != "simulated" && s.Network.Application != "nodeRunner")
            {
                e.Add($"network.application: '{s.Network.Application}' is not one of simulated, nodeRunner");
            }
            else if (s.Network.Application == "nodeRunner"
                && (s.Workload.ReadingIntervalSeconds != Math.Floor(s.Workload.ReadingIntervalSeconds)
                    || s.Workload.HeartbeatIntervalSeconds != Math.Floor(s.Workload.HeartbeatIntervalSeconds)))
            {
                e.Add("workload.readingIntervalSeconds/heartbeatIntervalSeconds: the node application takes whole seconds (network.application nodeRunner)");
            }

            var t = s.Topology;
            int n = t.Nodes;
            if (Array.IndexOf(TopologyKinds, t.Kind) < 0)
            {
                e.Add($"topology.kind: '{t.Kind}' is not one of {string.Join(", ", TopologyKinds)}");
            }
            else if (t.Kind == "file")
            {
                if (string.IsNullOrEmpty(t.File))
                {
                    e.Add("topology.file: required when topology.kind is 'file'");
                }
                else if (!File.Exists(Path.Combine(baseDirectory ?? ".", t.File)))
                {
                    e.Add($"topology.file: '{t.File}' does not exist");
                }
                else
                {
                    try
                    {
                        n = Topology.TopologyBuilder.FromFile(Path.Combine(baseDirectory ?? ".", t.File)).X.Length;
                        if (t.NodesGiven is int given)
                        {
                            if (given < 2 || given > n)
                            {
                                e.Add($"topology.nodes: must be 2..{n} (the positions in '{t.File}')");
                            }
                            else
                            {
                                n = given;
                            }
                        }
                    }
                    catch (Exception ex) when (ex is ArgumentException or FormatException or System.Text.Json.JsonException)
                    {
                        e.Add(ex.Message);
                    }
                }
            }
            else if (t.Nodes < 2 || t.Nodes > 100_000)
            {
                e.Add("topology.nodes: must be 2..100000");
            }

            if ((t.Kind == "grid" || t.Kind == "line") && t.SpacingMeters <= 0)
            {
                e.Add("topology.spacingMeters: must be positive");
            }

            if ((t.Kind == "random" || t.Kind == "clustered") && (t.WidthMeters <= 0 || t.HeightMeters <= 0))
            {
                e.Add("topology.widthMeters/heightMeters: must be positive");
            }

            if (t.Kind == "clustered" && (t.Clusters < 1 || t.ClusterRadiusMeters <= 0))
            {
                e.Add("topology.clusters/clusterRadiusMeters: need at least one cluster of positive radius");
            }

            var r = s.Radio;
            if (Array.IndexOf(RadioModels, r.Model) < 0)
            {
                e.Add($"radio.model: '{r.Model}' is not one of {string.Join(", ", RadioModels)}");
            }

            if (Array.IndexOf(RadioPresets, r.Preset) < 0)
            {
                e.Add($"radio.preset: '{r.Preset}' is not one of {string.Join(", ", RadioPresets)}");
            }

            LoraSettings lora = r.Lora;
            if (lora.SpreadingFactor < 5 || lora.SpreadingFactor > 12)
            {
                e.Add("radio.lora.spreadingFactor: must be 5..12");
            }

            if (lora.BandwidthHz < 7_800 || lora.BandwidthHz > 1_625_000)
            {
                e.Add("radio.lora.bandwidthHz: must be 7800..1625000");
            }

            if (lora.CodingRate < 5 || lora.CodingRate > 8)
            {
                e.Add("radio.lora.codingRate: must be 5..8 (4/5..4/8)");
            }

            if (lora.PreambleSymbols < 6 || lora.PreambleSymbols > 65535)
            {
                e.Add("radio.lora.preambleSymbols: must be 6..65535");
            }

            if (Array.IndexOf(LowDataRateModes, lora.LowDataRateOptimization) < 0)
            {
                e.Add($"radio.lora.lowDataRateOptimization: '{lora.LowDataRateOptimization}' is not one of {string.Join(", ", LowDataRateModes)}");
            }

            if (r.PathLossExponent <= 0)
            {
                e.Add("radio.pathLossExponent: must be positive");
            }

            if (r.ShadowingSigmaDb < 0 || r.FadingSigmaDb < 0 || r.TransitionDb <= 0)
            {
                e.Add("radio.shadowingSigmaDb/fadingSigmaDb: must not be negative; transitionDb must be positive");
            }

            if (r.BitrateBps <= 0)
            {
                e.Add("radio.bitrateBps: must be positive");
            }

            if (r.RangeMeters <= 0)
            {
                e.Add("radio.rangeMeters: must be positive");
            }

            if (r.ExtraLossRate < 0 || r.ExtraLossRate > 1)
            {
                e.Add("radio.extraLossRate: must be 0..1");
            }

            if (r.AsymmetrySigmaDb < 0)
            {
                e.Add("radio.asymmetrySigmaDb: must not be negative");
            }

            if (r.SlotMicroseconds < 1 || r.SlotMicroseconds > 1_000_000)
            {
                e.Add("radio.slotMicroseconds: must be 1..1000000");
            }

            if (r.DifsMicroseconds < 0 || r.DifsMicroseconds > 1_000_000)
            {
                e.Add("radio.difsMicroseconds: must be 0..1000000");
            }

            if (r.ContentionWindowSlots < 1 || r.ContentionWindowSlots > 1024)
            {
                e.Add("radio.contentionWindowSlots: must be 1..1024");
            }

            if (r.BurstLoss != null)
            {
                var b = r.BurstLoss;
                CheckProbability(e, "radio.burstLoss.goodToBad", b.GoodToBad);
                CheckProbability(e, "radio.burstLoss.badToGood", b.BadToGood);
                CheckProbability(e, "radio.burstLoss.lossInGood", b.LossInGood);
                CheckProbability(e, "radio.burstLoss.lossInBad", b.LossInBad);
            }

            CheckPolicy(e, "policy", s.Policy);

            CheckIndices(e, "roles.sinks", s.Roles.Sinks, n);
            if (s.Roles.SinkGridMeters < 0)
            {
                e.Add("roles.sinkGridMeters: must not be negative");
            }

            CheckIndices(e, "roles.edges", s.Roles.Edges, n);
            CheckIndices(e, "roles.relays", s.Roles.Relays, n);
            for (int i = 0; i < s.Roles.PerNode.Count; i++)
            {
                NodeGroupSettings g = s.Roles.PerNode[i];
                CheckIndices(e, $"roles.perNode[{i}].nodes", g.Nodes, n);
                if (g.Role != null && Array.IndexOf(NodeGroupSettings.Roles, g.Role) < 0)
                {
                    e.Add($"roles.perNode[{i}].role: '{g.Role}' is not one of {string.Join(", ", NodeGroupSettings.Roles)}");
                }

                if (g.HopLimit is < 0 or > 32)
                {
                    e.Add($"roles.perNode[{i}].hopLimit: must be 0..32");
                }

                if (g.Policy != null)
                {
                    CheckPolicy(e, $"roles.perNode[{i}].policy", g.Policy);
                }

                if (g.ReadingIntervalSeconds is double ri && !(ri > 0))
                {
                    e.Add($"roles.perNode[{i}].readingIntervalSeconds: must be positive");
                }
                else if (g.ReadingIntervalSeconds is double whole && s.Network.Application == "nodeRunner" && whole != Math.Floor(whole))
                {
                    e.Add($"roles.perNode[{i}].readingIntervalSeconds: the node application takes whole seconds (network.application nodeRunner)");
                }
            }

            var w = s.Workload;
            if (w.ReadingIntervalSeconds < 0 || w.BroadcastIntervalSeconds < 0 || w.CommandIntervalSeconds < 0)
            {
                e.Add("workload: intervals must not be negative");
            }

            if (w.HeartbeatIntervalSeconds != 0 && w.HeartbeatIntervalSeconds < 1)
            {
                e.Add("workload.heartbeatIntervalSeconds: must be 0 (off) or at least 1");
            }

            if (w.HeartbeatNeighbours is < 0 or > Mesh.Protocol.Messages.Heartbeat.MaxNeighbours)
            {
                e.Add("workload.heartbeatNeighbours: 0 … 32 (neighbours a heartbeat lists)");
            }

            if (w.GatewayHeartbeatIntervalSeconds is < 1 || (w.GatewayHeartbeatIntervalSeconds is { } beat && beat != Math.Floor(beat)))
            {
                e.Add("workload.gatewayHeartbeatIntervalSeconds: whole seconds, at least 1");
            }

            for (int i = 0; i < s.Faults.Crashes.Count; i++)
            {
                var c = s.Faults.Crashes[i];
                if (c.Node < 0 || c.Node >= n)
                {
                    e.Add($"faults.crashes[{i}].node: {c.Node} is not a node index (0..{n - 1})");
                }

                if (c.AtSeconds < 0 || (c.RestartAtSeconds.HasValue && c.RestartAtSeconds.Value <= c.AtSeconds))
                {
                    e.Add($"faults.crashes[{i}]: atSeconds must be >= 0 and restartAtSeconds after it");
                }
            }

            if (s.Faults.ChurnRatePerHour < 0 || s.Faults.ChurnDowntimeSeconds <= 0)
            {
                e.Add("faults.churnRatePerHour must not be negative; churnDowntimeSeconds must be positive");
            }

            if (s.KeyRefresh is KeyRefreshSettings k)
            {
                if (!(k.AtSeconds >= 0 && k.AtSeconds < s.DurationSeconds))
                {
                    e.Add("keyRefresh.atSeconds: must be at least 0 and less than durationSeconds");
                }

                if (!(k.PhaseDeadlineSeconds >= 5 && k.PhaseDeadlineSeconds <= 7 * 24 * 3600))
                {
                    e.Add("keyRefresh.phaseDeadlineSeconds: must be 5..604800 (mesh-gateway's deadline_seconds)");
                }

                if (k.Concurrency < 1 || k.Concurrency > 64)
                {
                    e.Add("keyRefresh.concurrency: must be 1..64");
                }

                if (s.Network.Application != "simulated")
                {
                    e.Add("keyRefresh: needs network.application simulated (the nodeRunner path does not drive refreshes)");
                }

                for (int j = 0; j < k.Evict.Count; j++)
                {
                    System.Text.Json.JsonElement v = k.Evict[j];
                    if (v.ValueKind == System.Text.Json.JsonValueKind.Number)
                    {
                        if (!v.TryGetInt32(out int index) || index < 0 || index >= n)
                        {
                            e.Add($"keyRefresh.evict[{j}]: {v.GetRawText()} is not a node index (0..{n - 1})");
                        }
                        else if (s.Roles.Sinks.Contains(index))
                        {
                            e.Add($"keyRefresh.evict[{j}]: node {index} is a gateway (it drives the refresh)");
                        }
                    }
                    else if (v.ValueKind != System.Text.Json.JsonValueKind.String || Array.IndexOf(KeyRefreshSettings.EvictWords, v.GetString()) < 0)
                    {
                        e.Add($"keyRefresh.evict[{j}]: {v.GetRawText()} is neither a node index nor one of {string.Join(", ", KeyRefreshSettings.EvictWords)}");
                    }
                }
            }

            for (int i = 0; i < s.Adversaries.Count; i++)
            {
                var a = s.Adversaries[i];
                if (Array.IndexOf(AdversaryKinds, a.Kind) < 0)
                {
                    e.Add($"adversaries[{i}].kind: '{a.Kind}' is not one of {string.Join(", ", AdversaryKinds)}");
                }

                CheckIndices(e, $"adversaries[{i}].nodes", a.Nodes, n);
                if (a.Count < 0 || a.Count + a.Nodes.Count >= n)
                {
                    e.Add($"adversaries[{i}].count: must be 0..{n - 1 - a.Nodes.Count}");
                }

                if (a.LossRate < 0 || a.LossRate > 1 || a.RadiusMeters <= 0 || a.DelaySeconds < 0)
                {
                    e.Add($"adversaries[{i}]: lossRate must be 0..1, radiusMeters positive, delaySeconds >= 0");
                }

                CheckProbability(e, $"adversaries[{i}].dutyCycle", a.DutyCycle);
                if (a.Kind == "babbler")
                {
                    if (Array.IndexOf(BabblerTraffic, a.Traffic) < 0)
                    {
                        e.Add($"adversaries[{i}].traffic: '{a.Traffic}' is not one of {string.Join(", ", BabblerTraffic)}");
                    }

                    if (!a.LineRate && !(a.Rate > 0 && s.Workload.ReadingIntervalSeconds / a.Rate >= 0.001))
                    {
                        e.Add($"adversaries[{i}].rate: must be positive, with workload.readingIntervalSeconds / rate at least 1 ms (or lineRate: true)");
                    }

                    if (a.Nodes.Count + a.Count == 0)
                    {
                        e.Add($"adversaries[{i}]: a babbler needs nodes or count");
                    }
                }
                if ((a.Kind == "insider" || a.Kind == "evictedInsider") && (a.IntervalSeconds < 0.001 || a.SequenceJump < 1 || a.SequenceJump > 1_000_000_000))
                {
                    e.Add($"adversaries[{i}]: an insider needs intervalSeconds >= 0.001 and sequenceJump 1..1000000000");
                }

                if (a.Kind == "rebootReplayer" && !(a.DowntimeSeconds > 0 && a.DowntimeSeconds <= 3600))
                {
                    e.Add($"adversaries[{i}].downtimeSeconds: must be in (0, 3600]");
                }

                if (a.PeriodMilliseconds < 0.001 || a.PeriodMilliseconds > 3_600_000)
                {
                    e.Add($"adversaries[{i}].periodMilliseconds: must be 0.001..3600000");
                }
            }

            if (s.Mobility != null && (s.Mobility.Fraction < 0 || s.Mobility.Fraction > 1 || s.Mobility.SpeedMetersPerSecond < 0 || s.Mobility.UpdateSeconds <= 0))
            {
                e.Add("mobility: fraction 0..1, speedMetersPerSecond >= 0, updateSeconds > 0");
            }

            return e;
        }

        private static void CheckIndices(List<string> e, string path, List<int> indices, int n)
        {
            for (int i = 0; i < indices.Count; i++)
            {
                if (indices[i] < 0 || indices[i] >= n)
                {
                    e.Add($"{path}[{i}]: {indices[i]} is not a node index (0..{n - 1})");
                }
            }
        }

        private static void CheckPolicy(List<string> e, string path, PolicyConfig p)
        {
            if (Array.IndexOf(PolicyKinds, p.Kind) < 0)
            {
                e.Add($"{path}.kind: '{p.Kind}' is not one of {string.Join(", ", PolicyKinds)}");
            }

            if (p.P < 0 || p.P > 1)
            {
                e.Add($"{path}.p: must be 0..1");
            }

            if (p.K < 0 || p.K > 32 || p.CancelThreshold < 0 || p.CancelThreshold > 255)
            {
                e.Add($"{path}.k/cancelThreshold: k must be 0..32, cancelThreshold 0..255");
            }

            if (p.HopAckBundleMs is < 0 or > 60000)
            {
                e.Add($"{path}.hopAckBundleMs: must be 0..60000 (ms)");
            }

            if (p.BackboneNeighbours is < 1 or > 32)
            {
                e.Add($"{path}.backboneNeighbours: must be 1..32 (the backbone's bit sets are one word)");
            }

            if (p.UpwardSlots is < 1 or > 64)
            {
                e.Add($"{path}.upwardSlots: must be 1..64");
            }

            if (p.UpwardBytes is { } bytes && bytes != 0 && (bytes < FrameLayout.MaxFrameSize || bytes > 64 * FrameLayout.MaxFrameSize))
            {
                e.Add($"{path}.upwardBytes: must be 0 (a full frame per slot) or {FrameLayout.MaxFrameSize}..{64 * FrameLayout.MaxFrameSize}");
            }

            if (p.MinDelayMs < 0 || p.MaxDelayMs < p.MinDelayMs || p.MaxDelayMs > 65535 || p.JitterMs < 0 || p.JitterMs > 255)
            {
                e.Add($"{path}.minDelayMs/maxDelayMs/jitterMs: need 0 <= min <= max <= 65535 and jitter 0..255");
            }

            if (!(p.WeakRssiDbm < p.StrongRssiDbm) || p.WeakRssiDbm < -200 || p.StrongRssiDbm > 50)
            {
                e.Add($"{path}.weakRssiDbm/strongRssiDbm: need -200 <= weak < strong <= 50");
            }
        }

        private static void CheckProbability(List<string> e, string path, double value)
        {
            if (!(value >= 0 && value <= 1))
            {
                e.Add($"{path}: must be 0..1");
            }
        }
    }
}
