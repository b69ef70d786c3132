using System;
using System.Collections.Generic;
using Mesh.Gateway.History;
using Mesh.Gateway.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
            services.AddSingleton(_ => new HistoryStore(OptionsFor(options.History)));
            services.AddSingleton(sp => new HistoryWriter(sp.GetRequiredService<HistoryStore>(), sp.GetRequiredService<ILogger<HistoryWriter>>(),
                sp.GetRequiredService<TimeProvider>()));
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
            foreach (NodeState n in store.Nodes())
            {
                if (n.Network == options.Mesh.NetworkId && n.Node != options.Mesh.NodeId)
                {
                    directory.Restore(n.Node, n.LastSeen, n.Role, n.Policy, n.UptimeSeconds, n.Hops, n.Rssi, n.Neighbours, store.LatestReadings(n.Node));
                }
            }
        }

        public static IReadOnlyList<SensorReading>? QueryReadings(IServiceProvider sp, uint? node, string? quantity, DateTimeOffset? from, DateTimeOffset? to, int limit)
        {
            HistoryStore? store = sp.GetService<HistoryStore>();
            return store?.QueryReadings(node, quantity, from, to, limit);
        }
    }
}
