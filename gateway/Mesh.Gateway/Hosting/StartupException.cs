using System;

namespace Mesh.Gateway.Hosting
{
    /// <summary>A reason the gateway cannot start that the person starting it can fix; shown as one line, exit code 2.</summary>
    public sealed class StartupException : InvalidOperationException
    {
        public StartupException(string message)
            : base(message)
        {
        }
    }
}
