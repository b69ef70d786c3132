using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>Running a refresh: its phases in order, each command sent and answered, the keys changed between them.</summary>
    public sealed partial class KeyRefreshService
    {
        private async Task RunAsync(long id, CancellationToken ct)
        {
            int phase = 0;
            try
            {
                KeyRefreshStore.Refresh r = Load();
                phase = r.Phase;
                byte[] secret = r.NewKey ?? throw new InvalidOperationException("the refresh's new key is missing from the registry");
                var next = new NetworkKey(secret, r.NewIndex, DesktopCrypto.Instance);
                int j = r.NewIndex;

                // The gateway accepts j beside i before any node can send under it (a no-op when restored).
                await ChangeKeysAsync(ring => ring.Next?.Index == j || ring.Distribute(next), $"accept key {j}", ct).ConfigureAwait(false);

                for (; phase <= 3; phase++)
                {
                    r = Load();
                    List<uint> targets = r.Nodes.Where(n => phase == 1 || n.AckedPhase >= 1).Select(n => n.Node).ToList();
                    _log.LogInformation("key refresh #{Id}: phase {Phase} ({What}) to {Count} node(s)", id, phase, PhaseName(phase), targets.Count);
                    byte[] distribute = Concat((byte)j, secret);
                    List<uint> missing = await RunPhaseAsync(id, phase, distribute, targets, r, ct).ConfigureAwait(false);
                    if (missing.Count > 0)
                    {
                        _log.LogWarning("key refresh #{Id}: phase {Phase}: no acknowledgement from node(s) {Nodes} before the deadline{Consequence}", id, phase, string.Join(", ", missing),
                            phase == 1 ? "; they are left out and will be cut off after phase 3 (provision them again)" : "");
                    }

                    if (phase == 1 && targets.Count > 0 && missing.Count == targets.Count)
                    {
                        // Going on would cut every node off: hold here until the operator resumes.
                        string why = "no node acknowledged the new key before the deadline";
                        Store(s => s.Stall(id, why));
                        _log.LogWarning("key refresh #{Id}: stalled in phase 1: {Why}; the gateway still sends under index {Old}. POST /api/keys/refresh resumes it", id, why, r.OldIndex);
                        return;
                    }

                    if (phase == 2)
                    {
                        Store(s => s.SetGatewayPhase(id, NetworkKeyRing.PhaseSwitched));
                        await ChangeKeysAsync(ring => ring.Advance(j, NetworkKeyRing.PhaseSwitched), $"send under key {j}", ct).ConfigureAwait(false);
                        _log.LogInformation("key refresh #{Id}: the gateway now sends under network key index {New}", id, j);
                    }

                    if (phase < 3)
                    {
                        int nextPhase = phase + 1;
                        Store(s => s.SetPhase(id, nextPhase));
                    }
                }

                // Stored first: a restart from here loads j alone.
                Store(s => s.Finish(id, j, secret, _time.GetUtcNow()));
                await ChangeKeysAsync(ring => ring.Advance(j, NetworkKeyRing.PhaseRevoke), $"drop every key but {j}", ct).ConfigureAwait(false);
                KeyRefreshStatus done = Status();
                _log.LogInformation("key refresh #{Id}: done; network key index {New} only (index {Old} dropped); {Kept} node(s) switched{Missed}", id, j, r.OldIndex,
                    done.Nodes.Count - done.NotAnswered.Count,
                    done.NotAnswered.Count == 0 ? "" : "; cut off, to provision again: " + string.Join(", ", done.NotAnswered));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                _log.LogInformation("key refresh #{Id}: interrupted in phase {Phase} by the gateway stopping; it resumes at the next start", id, phase);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "key refresh #{Id}: failed in phase {Phase}; stalled (POST /api/keys/refresh resumes it)", id, phase);
                try
                {
                    Store(s => s.Stall(id, "failed: " + ex.Message));
                }
                catch (Exception)
                {
                }
            }
        }

        private async Task ChangeKeysAsync(Func<NetworkKeyRing, bool> change, string what, CancellationToken ct)
        {
            if (!await _mesh.ChangeNetworkKeysAsync(change, ct).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the gateway's key ring refused to {what} (it sends under index {_mesh.NetworkKeyIndex}, refresh phase {_mesh.NetworkKeyPhase})");
            }
        }

        /// <summary>Sends one phase's command to every target that has not acknowledged it, round after round until all did or the deadline passed; returns those that did not.</summary>
        private async Task<List<uint>> RunPhaseAsync(long id, int phase, byte[] distribute, List<uint> targets, KeyRefreshStore.Refresh r, CancellationToken ct)
        {
            CommandKind kind = phase == 1 ? CommandKind.SetNetworkKey : CommandKind.KeyRefreshPhase;
            byte[] args = phase == 1 ? distribute : new[] { distribute[0], (byte)phase };
            var redistributed = new HashSet<uint>();
            var pending = new HashSet<uint>(targets.Where(n => r.Nodes.First(s => s.Node == n).AckedPhase < phase));
            var refused = new HashSet<uint>();
            using var phaseDeadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            phaseDeadline.CancelAfter(r.Deadline);
            using var slots = new SemaphoreSlim(Concurrency);
            while (pending.Count > 0 && !phaseDeadline.IsCancellationRequested)
            {
                Task[] round = pending.ToList().Select(async node =>
                {
                    await slots.WaitAsync(phaseDeadline.Token).ConfigureAwait(false);
                    try
                    {
                        CommandOutcome o = await _mesh.SendCommandAsync(node, kind, args, phaseDeadline.Token).ConfigureAwait(false);
                        bool lost = phase > 1 && o.State == CommandState.Acknowledged && o.Status == "invalid_argument";
                        lock (redistributed)
                        {
                            lost = lost && redistributed.Add(node); // once per node and phase
                        }

                        if (lost)
                        {
                            // It no longer holds the new key: restarted since phase 1 (the node application keeps
                            // it in RAM until phase 3). While the gateway still sends under the old key (phase 2)
                            // it can be given the key again; then the phase command is retried next round.
                            _log.LogWarning("key refresh #{Id}: node {Node} refused phase {Phase}: it no longer holds key {New} (restarted?); sending the key again",
                                id, node, phase, distribute[0]);
                            CommandOutcome again = await _mesh.SendCommandAsync(node, CommandKind.SetNetworkKey, distribute, phaseDeadline.Token).ConfigureAwait(false);
                            Store(s => s.NodeAnswered(id, node, 0, "lost the new key; sent again: " + (again.State == CommandState.Acknowledged ? again.Status : again.State.ToString().ToLowerInvariant())));
                            return;
                        }

                        Answered(id, phase, node, o, pending, refused);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }).ToArray();
                try
                {
                    await Task.WhenAll(round).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                if (pending.Count > 0 && !phaseDeadline.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), _time, phaseDeadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }

            ct.ThrowIfCancellationRequested();
            var missing = new List<uint>(pending);
            missing.AddRange(refused);
            missing.Sort();
            return missing;
        }

        private void Answered(long id, int phase, uint node, CommandOutcome o, HashSet<uint> pending, HashSet<uint> refused)
        {
            string status = o.State == CommandState.Acknowledged ? o.Status : o.State == CommandState.TimedOut ? "timeout" : o.Status + (o.Error is { } e ? ": " + e : "");
            bool done = o.State == CommandState.Acknowledged && (o.Status == "ok" || o.Status == "already_executed");
            Store(s => s.NodeAnswered(id, node, done ? phase : 0, status));
            lock (pending)
            {
                if (done)
                {
                    pending.Remove(node);
                }
                else if (o.State == CommandState.Acknowledged)
                {
                    // The node answered and refused (e.g. phase 2 for a key it never got): retrying will not help.
                    pending.Remove(node);
                    refused.Add(node);
                }
            }

            if (done)
            {
                _log.LogInformation("key refresh #{Id}: node {Node} acknowledged phase {Phase}", id, node, phase);
            }
            else if (o.State == CommandState.Acknowledged)
            {
                _log.LogWarning("key refresh #{Id}: node {Node} refused phase {Phase} ({Status})", id, node, phase, o.Status);
            }
        }

        private static string PhaseName(int phase) => phase switch
        {
            1 => "distribute the new key",
            2 => "switch: send under the new key",
            _ => "revoke the old key",
        };

        private static byte[] Concat(byte first, byte[] rest)
        {
            var b = new byte[1 + rest.Length];
            b[0] = first;
            rest.CopyTo(b, 1);
            return b;
        }
    }
}
