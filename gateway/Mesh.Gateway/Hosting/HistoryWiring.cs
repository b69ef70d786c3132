using System;
using System.Collections.Generic;
using Mesh.Gateway.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Hosting
{
    /// <summary>Connects the SQLite history to the host: its writer listens to the mesh, its store answers /api/readings.</summary>
    internal static class HistoryWiring
    {
        public static void AddServices(IServiceCollection services, GatewayOptions options)
        {
        }

        public static void AddListener(IServiceProvider sp, GatewayOptions options, List<IMeshListener> listeners)
        {
        }

        public static IReadOnlyList<SensorReading>? QueryReadings(IServiceProvider sp, uint? node, string? quantity, DateTimeOffset? from, DateTimeOffset? to, int limit)
        {
            return null;
        }
    }
}
