namespace Mesh.Gateway
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            System.Console.Error.WriteLine("mesh-gateway: under construction (issue 4)");
            return 2;
        }
    }
}
