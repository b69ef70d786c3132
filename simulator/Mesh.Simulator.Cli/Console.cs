using System;
using System.Globalization;
using System.IO;
using System.Linq;
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

        /// <summary>A comma-separated option value's items, trimmed, empty ones dropped.</summary>
        public static string[] Items(string list) =>
            list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>A comma-separated option value as numbers; an ArgumentException names the option and the value.</summary>
        public static double[] Numbers(string list, string option)
        {
            try
            {
                return Items(list).Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (FormatException)
            {
                throw new ArgumentException($"{option}: expected comma-separated numbers, got '{list}'");
            }
        }

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
