using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Hosting
{
    /// <summary>Runs the gateway's mesh loop for the life of the host, and the online/offline sweep beside it.</summary>
    public sealed class MeshService : BackgroundService
    {
        private readonly MeshGateway _mesh;
        private readonly NodeDirectory _directory;
        private readonly ILogger _logger;

        public MeshService(MeshGateway mesh, NodeDirectory directory, ILogger<MeshService> logger)
        {
            _mesh = mesh;
            _directory = directory;
            _logger = logger;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            _logger.LogInformation("mesh: joined network {Network} as bridge node {Node}", _mesh.NetworkId, _mesh.NodeId);
            Task sweep = SweepAsync(stoppingToken);
            await _mesh.RunAsync(stoppingToken).ConfigureAwait(false);
            await sweep.ConfigureAwait(false);
        }

        private async Task SweepAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    _directory.Sweep();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
