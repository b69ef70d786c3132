using System;
using System.CommandLine;
using System.Collections.Generic;
using System.IO;
using Mesh.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// `mesh-gateway provision --node ID --out FILE`: generates the node's device key in the registry and
    /// writes the settings file the node starts from (on a board: written to I:\mesh.conf with
    /// `nanoff --filedeployment`; for mesh-node: its --config). `--list` shows the registry (no keys);
    /// `--evict ID` marks a node evicted (its device key is no longer loaded; a key refresh then leaves it
    /// out and cuts it off). `--gateway --node ID --out FILE` provisions another gateway on the same mesh and
    /// writes the registry it runs from (<see cref="ProvisionGateway"/>). Reads the network key (the refreshed
    /// one from the registry once a key refresh completed), network id and registry path from the gateway's
    /// own configuration, like `run`.
    /// </summary>
    public static class ProvisionCommand
    {
        public static Command Create()
        {
            var node = new Option<uint?>("--node") { Description = "Node id to provision (a board's id is derived from its MAC and printed on its serial log)" };
            var output = new Option<string?>("--out") { Description = "Settings file to write (created 0600; holds the node's keys)" };
            var readmit = new Option<bool>("--readmit") { Description = "Provision a node that was evicted" };
            var list = new Option<bool>("--list") { Description = "List provisioned nodes (ids, node or gateway, key index, dates; never keys)" };
            var evict = new Option<uint?>("--evict") { Description = "Mark a node evicted: its device key is dropped at the next start and it is left out of key refreshes" };
            var gateway = new Option<bool>("--gateway")
            {
                Description = "Provision another gateway on this mesh: --out gets a registry for it (every node's device key, the network key, its own device key), " +
                    "to become its Mesh:RegistryFile; key refreshes then carry it along. Again for a gateway already provisioned: a fresh copy, its key unchanged",
            };
            var command = new Command("provision", "Provision a node: generate its device key in the registry and write its settings file. " +
                "Settings as for run (--Mesh:Key=..., --State:Directory=...; the registry is Mesh:RegistryFile in the state folder)")
            {
                node, output, readmit, list, evict, gateway,
            };
            command.TreatUnmatchedTokensAsErrors = false;
            command.SetAction(parse => Run(parse.UnmatchedTokens, parse.GetValue(node), parse.GetValue(output), parse.GetValue(readmit), parse.GetValue(list), parse.GetValue(evict),
                Console.Out, Console.Error, parse.GetValue(gateway)));
            return command;
        }

        public static int Run(IReadOnlyList<string> configArgs, uint? node, string? output, bool readmit, bool list, uint? evict, TextWriter stdout, TextWriter stderr, bool gateway = false)
        {
            WebApplicationBuilder builder = GatewayApp.CreateBuilder(new List<string>(configArgs).ToArray(), null);
            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors);
            if (errors.Count > 0)
            {
                foreach (string e in errors)
                {
                    stderr.WriteLine("mesh-gateway provision: configuration: " + e);
                }

                return 2;
            }

            // The same state folder as `run` (--State:Directory or the per-user default), so both use one registry.
            StateFolder.Resolve(options);
            PrivateFiles.CreatePrivateFolder(options.State.Directory!);
            if (options.Mesh.DeriveDeviceKeys)
            {
                stderr.WriteLine("mesh-gateway provision: Mesh:DeriveDeviceKeys is set (demo provisioning): the registry is not used");
                return 2;
            }

            try
            {
                using var registry = new NodeRegistry(options.Mesh.RegistryFile);
                if (list)
                {
                    foreach (NodeRegistry.Entry e in registry.List())
                    {
                        stdout.WriteLine($"{e.NodeId,10}  {(e.IsGateway ? "gateway" : "node"),-7}  key index {e.KeyIndex,2}  provisioned {e.Created:u}" + (e.Evicted is DateTimeOffset at ? $"  EVICTED {at:u}" : ""));
                    }

                    return 0;
                }

                if (evict is uint victim)
                {
                    if (!registry.Evict(victim, DateTimeOffset.UtcNow))
                    {
                        stderr.WriteLine($"mesh-gateway provision: node {victim} is not provisioned, or already evicted");
                        return 1;
                    }

                    stdout.WriteLine($"node {victim} evicted: after a gateway restart (or at the next key refresh) its readings are no longer opened and no command is sealed to it. " +
                        "It still holds the network key (it can inject text, relay and jam) until the network key is refreshed without it: " +
                        "POST /api/keys/refresh on the running gateway (gateway/README.md, \"Rotating the network key and evicting a board\").");
                    return 0;
                }

                if (node is not uint id || string.IsNullOrWhiteSpace(output))
                {
                    stderr.WriteLine("mesh-gateway provision: --node <id> and --out <file> are required (or --list, --evict <id>)");
                    return 2;
                }

                if (File.Exists(output))
                {
                    stderr.WriteLine($"mesh-gateway provision: {output} exists; it may hold another node's keys — remove it first");
                    return 2;
                }

                // The network key a node starts with is the gateway's current one: Mesh:Key until a key
                // refresh completed, then the refreshed key the registry holds.
                byte[] networkKey = MeshSettings.TryParseKey(options.Mesh.Key)!;
                int networkKeyIndex = 0;
                using (var keys = new KeyRefreshStore(options.Mesh.RegistryFile))
                {
                    if (keys.Latest() is { Finished: null } refresh)
                    {
                        // It would get the old key and not be in the refresh's node list: cut off at phase 3.
                        stderr.WriteLine($"mesh-gateway provision: key refresh #{refresh.Id} is in progress (phase {refresh.Phase}" +
                            (refresh.Stalled != null ? ", stalled" : "") + "); provision nodes once it is done (GET /api/keys/refresh)");
                        return 1;
                    }

                    if (keys.Followed() is { } followed)
                    {
                        stderr.WriteLine($"mesh-gateway provision: this gateway follows a key refresh another gateway drives (to network key index {followed.Index}, phase {followed.Phase}); " +
                            "provision from that gateway, or once the refresh is done");
                        return 1;
                    }

                    if (keys.CurrentKey() is (int storedIndex, byte[] stored))
                    {
                        networkKey = stored;
                        networkKeyIndex = storedIndex;
                    }
                }

                if (gateway)
                {
                    return ProvisionGateway(registry, options, id, output, networkKey, networkKeyIndex, readmit, stdout, stderr);
                }

                (byte[] deviceKey, int index) = registry.Provision(id, DateTimeOffset.UtcNow, readmit);
                NodeSettingsFile.Write(output, NodeSettingsFile.Format(id, options.Mesh.NetworkId, networkKey, networkKeyIndex, deviceKey, index, DateTimeOffset.UtcNow));
                stdout.WriteLine($"node {id} provisioned (device key index {index}); settings written to {output} (0600).");
                stdout.WriteLine("Board: put it on the flash with nanoff --filedeployment (hardware/README.md); mesh-node: --config " + output + ".");
                stdout.WriteLine("Restart the gateway to load the new key. Delete the file once the node has it: it holds the node's keys.");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                stderr.WriteLine("mesh-gateway provision: " + ex.Message);
                return 1;
            }
        }

        /// <summary>
        /// `provision --gateway --node ID --out FILE`: registers gateway ID as a node of role gateway (so this
        /// gateway's key refreshes command it, sealed with its device key) and writes its registry: every node
        /// not evicted with its device keys, this gateway's own, its own, and the current network key. A gateway
        /// already provisioned keeps its device key (a fresh copy after nodes changed here); the keys stay in the file.
        /// </summary>
        private static int ProvisionGateway(NodeRegistry registry, GatewayOptions options, uint id, string output, byte[] networkKey, int networkKeyIndex,
            bool readmit, TextWriter stdout, TextWriter stderr)
        {
            uint self = options.Mesh.NodeId;
            if (id == self)
            {
                stderr.WriteLine($"mesh-gateway provision: gateway {id} is this gateway (Mesh:NodeId); give the other gateway its own id");
                return 2;
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            if (registry.Find(self) == null)
            {
                // This gateway's own device key, as its first start would create it: the other one opens its heartbeats.
                registry.Provision(self, now, gateway: true);
            }

            NodeRegistry.Entry? existing = registry.Find(id);
            if (existing != null && !existing.IsGateway)
            {
                stderr.WriteLine($"mesh-gateway provision: {id} is provisioned as a node, not a gateway; give the gateway an id of its own");
                return 2;
            }

            bool again = existing is { Evicted: null };
            int index = again ? existing!.KeyIndex : registry.Provision(id, now, readmit, gateway: true).Index;
            int nodes = registry.ExportTo(output, self);
            using (var exported = new KeyRefreshStore(output))
            {
                exported.SetNetworkKey(networkKeyIndex, networkKey, now);
            }

            // The other gateway refuses every command of this one numbered below its stored sequence checkpoint:
            // each was sent before this export (the checkpoint is above every sequence used), so a command captured
            // earlier — a key refresh phase, replayed — cannot run on a gateway whose registry was replaced by this
            // file. This gateway starts from the checkpoint when it restarts, which is why it must (below).
            uint checkpoint = new global::Mesh.Gateway.Mesh.SequenceStore(options.Mesh.SequenceFile).Load();
            using (var counters = new CommandCounterStore(output))
            {
                counters.Save(self, checkpoint - 1);
            }

            stdout.WriteLine($"gateway {id} " + (again ? $"already provisioned (device key index {index}, unchanged)" : $"provisioned (device key index {index})") +
                $"; its registry written to {output} (0600): {nodes} device key(s) including its own and this gateway's, network key index {networkKeyIndex}.");
            stdout.WriteLine($"Make it gateway {id}'s Mesh:RegistryFile (mesh-nodes.db in its state folder) before it starts, with --Mesh:NodeId={id}. " +
                "Delete this copy afterwards: it holds every device key.");
            stdout.WriteLine(again
                ? $"Restart this gateway before its next key refresh: gateway {id} refuses its commands numbered before this export."
                : $"Restart this gateway to load gateway {id}'s key: key refreshes started here then carry it along.");

            return 0;
        }
    }
}
