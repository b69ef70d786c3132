using System.CommandLine;
using System.Linq;
using Mesh.Gateway.Hosting;

namespace Mesh.Gateway
{
    /// <summary>
    /// mesh-gateway: `run` serves a real mesh. The demo and the benchmark live in their own program
    /// (gateway/Mesh.Gateway.Demo), so the production gateway carries no simulator.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = new RootCommand("mesh-gateway: joins the Mesh sensor mesh and serves it over MQTT, HTTP and a web dashboard");
            var run = new Command("run", "Run the gateway. Settings come from appsettings.json, MESH_* environment variables " +
                "(MESH_Mqtt__Mode=external) and --Section:Key=value arguments (--Mesh:Key=<32 hex digits> --Mqtt:Mode=external --Mqtt:Host=broker).\n\n" +
                SettingsHelp.Text)
            {
                TreatUnmatchedTokensAsErrors = false,
            };
            var stateDir = new Option<string?>("--state-dir")
            {
                Description = "Folder for the gateway's state (sequence checkpoint, outbox, history, HTTP token); default " + StateFolder.DefaultPath(),
            };
            run.Options.Add(stateDir);
            run.SetAction(parse =>
            {
                var request = new RunRequest { ConfigArgs = parse.UnmatchedTokens.ToArray() };
                if (parse.GetValue(stateDir) is { } dir)
                {
                    request.Overrides["State:Directory"] = dir;
                }

                return GatewayRunner.Run(request);
            });

            root.Subcommands.Add(run);
            root.Subcommands.Add(Provisioning.ProvisionCommand.Create());
            root.Subcommands.Add(Provisioning.KeysCommand.Create());
            return root.Parse(args).Invoke();
        }
    }
}
