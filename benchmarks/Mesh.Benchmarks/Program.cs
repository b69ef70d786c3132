using BenchmarkDotNet.Running;

namespace Mesh.Benchmarks
{
    /// <summary>
    /// Entry point: <c>dotnet run -c Release --project benchmarks/Mesh.Benchmarks -- --filter '*'</c>
    /// runs every benchmark; any BenchmarkDotNet command-line option works after <c>--</c>.
    /// </summary>
    public static class Program
    {
        public static void Main(string[] args)
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());
        }
    }
}
