using System;
using System.IO;
using Mesh.Simulator.Scenarios;
using Spectre.Console;

namespace Mesh.Simulator.Cli
{
    /// <summary>Shared plumbing: loading scenarios with clear errors, and progress only when a person is watching.</summary>
    internal static class CliConsole
    {
        public static bool Interactive => !System.Console.IsOutputRedirected && !System.Console.IsErrorRedirected;

        /// <summary>Loads and validates a scenario; on failure prints every problem to stderr and returns null.</summary>
        public static Scenario? Load(FileInfo file)
        {
            try
            {
                return ScenarioLoader.Load(file.FullName);
            }
            catch (ScenarioException ex)
            {
                System.Console.Error.WriteLine($"mesh-sim: {file.Name}: invalid scenario");
                foreach (string line in ex.Message.Split(Environment.NewLine))
                {
                    System.Console.Error.WriteLine("  " + line);
                }

                return null;
            }
        }

        public static string BaseDirectory(FileInfo file) => file.DirectoryName ?? ".";

        /// <summary>Runs <paramref name="work"/> with a progress bar on a terminal, silently otherwise.</summary>
        public static T WithProgress<T>(string label, Func<IProgress<double>?, T> work)
        {
            if (!Interactive)
            {
                return work(null);
            }

            T result = default!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask(Markup.Escape(label), maxValue: 1.0);
                    result = work(new Progress(task));
                    task.Value = 1.0;
                });
            return result;
        }

        private sealed class Progress : IProgress<double>
        {
            private readonly ProgressTask _task;

            public Progress(ProgressTask task) => _task = task;

            public void Report(double value) => _task.Value = value;
        }
    }
}
