using System.CommandLine;
using System.IO;

namespace Mesh.Simulator.Cli
{
    internal static class ValidateCommand
    {
        public static Command Create()
        {
            var scenarioArg = new Argument<FileInfo>("scenario") { Description = "Scenario JSON file" };
            var command = new Command("validate", "Check a scenario; print OK or every problem (exit code 1)") { scenarioArg };
            command.SetAction(parse =>
            {
                FileInfo file = parse.GetValue(scenarioArg)!;
                if (CliConsole.Load(file) == null)
                {
                    return 1;
                }

                System.Console.WriteLine($"{file.Name}: OK");
                return 0;
            });
            return command;
        }
    }
}
