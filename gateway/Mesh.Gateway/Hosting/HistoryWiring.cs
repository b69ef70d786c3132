using System;
using System.Collections.Generic;
using Mesh.Gateway.History;
using Mesh.Gateway.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Mesh.Gateway.Mesh;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// Connects the SQLite history to the host: its writer listens to the mesh, its store answers
    /// /api/readings and seeds the node directory at start-up. With History:Enabled=false none of it is
    /// registered and the API says so rather than answering with an empty list.
    /// </summary>
    internal static class HistoryWiring
    {
        public static HistoryOptions OptionsFor(HistorySettings settings) => new()
        {
            Path = settings.Path,
            RetentionDays = settings.RetentionDays,
        };

        public static void AddServices(IServiceCollection services, GatewayOptions options)
        {
            if (!options.History.Enabled)
            {
                return;
            }

            // The container disposes in reverse order of creation: the writer (created after the store it
            // needs) drains its queue into the store before the store closes.
            services.AddSingleton(sp => OpenOrMoveAside(OptionsFor(options.History), sp.GetRequiredService<ILogger<HistoryStore>>()));
            services.AddSingleton(sp => new HistoryWriter(sp.GetRequiredService<HistoryStore>(), sp.GetRequiredService<ILogger<HistoryWriter>>(),
                sp.GetRequiredService<TimeProvider>()));
        }

        /// <summary>
        /// Opens the history; if the file is damaged (or not a database at all), moves it aside with a
        /// warning and starts a fresh one. The history is a secondary feature: losing access to old
        /// readings must not stop the gateway's main job, bridging the mesh to MQTT.
        /// </summary>
        public static HistoryStore OpenOrMoveAside(HistoryOptions options, ILogger logger)
        {
            try
            {
                return new HistoryStore(options);
            }
            catch (System.IO.InvalidDataException ex) when (ex.InnerException is Microsoft.Data.Sqlite.SqliteException)
            {
                // Damage only: a database from a newer gateway (no inner SQLite error) is left alone and stops the start.
                string path = System.IO.Path.GetFullPath(options.Path);
                string aside = DamagedDatabase.MoveAside(path);

                logger.LogWarning("history database {Path} cannot be used ({Reason}); moved it to {Aside} and started an empty history. " +
                    "Bridging to MQTT is not affected; inspect or delete the old file at leisure.", path, ex.Message, aside);
                return new HistoryStore(options);
            }
        }

        public static void AddListener(IServiceProvider sp, GatewayOptions options, List<IMeshListener> listeners)
        {
            if (options.History.Enabled)
            {
                listeners.Add(sp.GetRequiredService<HistoryWriter>());
            }
        }

        public static void AddMetrics(IServiceProvider sp, GatewayOptions options, List<IMetricsSource> sources)
        {
            if (options.History.Enabled)
            {
                sources.Add(sp.GetRequiredService<HistoryWriter>());
            }
        }

        /// <summary>Lists the nodes the history remembers, so a restarted gateway shows them (offline) before they are heard again.</summary>
        public static void RestoreNodes(IServiceProvider sp, GatewayOptions options, NodeDirectory directory)
        {
            if (!options.History.Enabled)
            {
                return;
            }

            HistoryStore store = sp.GetRequiredService<HistoryStore>();
            try
            {
                foreach (NodeState n in store.Nodes())
                {
                    if (n.Network == options.Mesh.NetworkId && n.Node != options.Mesh.NodeId)
                    {
                        directory.Restore(n.Node, n.LastSeen, n.Role, n.Policy, n.UptimeSeconds, n.Hops, n.Rssi, n.Neighbours, store.LatestReadings(n.Node), n.NeighboursKnown);
                    }
                }
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                // Damage the opening did not notice: start without the remembered nodes rather than not at all.
                sp.GetRequiredService<ILogger<HistoryStore>>().LogWarning("history database {Path}: remembered nodes could not be read ({Reason}); " +
                    "they appear again when heard", store.Path, ex.Message);
            }
        }

        /// <summary>
        /// Restores the mesh's replay state from the history before the mesh loop starts: readings up to the
        /// newest sequence stored per node are refused as replays, so a captured reading re-sent just after a
        /// restart (inside the freshness window) is not published again. Returns how many nodes.
        /// </summary>
        public static int RestoreReplayState(IServiceProvider sp, GatewayOptions options, MeshGateway gateway)
        {
            if (!options.History.Enabled)
            {
                return 0;
            }

            HistoryStore store = sp.GetRequiredService<HistoryStore>();
            try
            {
                IReadOnlyList<(uint Node, uint Sequence)> highest = store.HighestSequences();
                foreach ((uint node, uint sequence) in highest)
                {
                    gateway.RememberSequence(node, sequence);
                }

                return highest.Count;
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                sp.GetRequiredService<ILogger<HistoryStore>>().LogWarning("history database {Path}: stored sequences could not be read ({Reason}); " +
                    "replays are refused by the freshness window alone until nodes are heard again", store.Path, ex.Message);
                return 0;
            }
        }

        public static IReadOnlyList<SensorReading>? QueryReadings(IServiceProvider sp, uint? node, string? quantity, DateTimeOffset? from, DateTimeOffset? to, int limit)
        {
            HistoryStore? store = sp.GetService<HistoryStore>();
            return store?.QueryReadings(node, quantity, from, to, limit);
        }
    }
}
