using System.CommandLine;

namespace Mesh.Simulator.Cli
{
    /// <summary>mesh-sim: run, sweep, validate and benchmark scenarios; bridge a simulation onto the LAN.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = new RootCommand("mesh-sim: thousands of Mesh nodes running the real protocol core over a modelled radio")
            {
                RunCommand.Create(),
                SweepCommand.Create(),
                ValidateCommand.Create(),
                BenchCommand.Create(),
                RealtimeCommand.Create(),
                TargetsCommand.Create(),
            };
            return root.Parse(args).Invoke();
        }
    }
}
