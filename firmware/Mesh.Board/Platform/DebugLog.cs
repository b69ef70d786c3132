using System.Diagnostics;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>Log lines to the debugger / serial console (what `nanoff` and Visual Studio show).</summary>
    internal sealed class DebugLog : ILog
    {
        public void Write(LogLevel level, string message)
        {
            Debug.WriteLine(level == LogLevel.Info ? message : (level == LogLevel.Warning ? "warning: " : "error: ") + message);
        }
    }
}
