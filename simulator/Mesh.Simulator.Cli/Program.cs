using System;
using System.IO;
using System.Text.Json;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Cli
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            var s = ScenarioLoader.Load(args[0]);
            if (args.Length > 1) s.Topology.Nodes = int.Parse(args[1]);
            if (args.Length > 2) s.DurationSeconds = double.Parse(args[2]);
            var sim = new Simulation(s, Path.GetDirectoryName(Path.GetFullPath(args[0])));
            var r = sim.Run();
            Console.WriteLine(JsonSerializer.Serialize(r, ScenarioLoader.Options));
            return 0;
        }
    }
}
