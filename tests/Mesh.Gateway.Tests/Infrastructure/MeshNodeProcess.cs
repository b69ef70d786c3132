using System;
using System.Linq;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>
    /// A real `mesh-node` process on the loopback mesh (TTL 0, 127.0.0.1), reporting every second, its
    /// output kept for assertions; killed with its process tree on dispose.
    /// </summary>
    public sealed class MeshNodeProcess : IDisposable
    {
        private readonly DotnetProcess _process;

        /// <param name="arguments">What else the node is started with (a settings file, an id and keys).</param>
        public MeshNodeProcess(int udpPort, params string[] arguments)
        {
            _process = new DotnetProcess("mesh-node.dll", arguments.Concat(new[]
            {
                "--port", udpPort.ToString(), "--ttl", "0", "--interface", "127.0.0.1", "--report-interval", "1",
            }));
        }

        public string Output => _process.Output;

        public void Dispose() => _process.Dispose();
    }
}
