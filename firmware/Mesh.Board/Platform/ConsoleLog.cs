using System;
using Mesh.NodeApp.Hal;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// Log lines to the board's serial port. Console.WriteLine, not Debug.WriteLine: Debug's methods are
    /// [Conditional("DEBUG")] in nanoFramework's CoreLibrary, so a Release image would say nothing at all.
    /// With no debugger attached nanoCLR writes this text straight to the port it was flashed through, at
    /// 921600 baud (hardware/README.md, "Watch the log").
    /// </summary>
    internal sealed class ConsoleLog : ILog
    {
        public void Write(LogLevel level, string message)
        {
            Console.WriteLine(level == LogLevel.Info ? "mesh: " + message : (level == LogLevel.Warning ? "mesh: warning: " : "mesh: ERROR: ") + message);
        }
    }
}
