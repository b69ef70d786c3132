using System;
using Mesh.Gateway.Mesh;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Hosting
{
    /// <summary>Opens the USB serial link to a bridge board.</summary>
    internal static class SerialTransportFactory
    {
        public static IFrameTransport Open(SerialSettings settings, ILoggerFactory loggers)
        {
            throw new InvalidOperationException("Serial:Enabled: the serial transport is being wired in");
        }
    }
}
