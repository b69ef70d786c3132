using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Mesh.Protocol;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Topology
{
    /// <summary>Node positions in metres for the shapes a scenario can ask for.</summary>
    public static class TopologyBuilder
    {
        public static (double[] X, double[] Y) Build(TopologySettings t, string? baseDirectory, IRandomSource random)
        {
            switch (t.Kind)
            {
                case "grid": return Grid(t.Nodes, t.SpacingMeters);
                case "line": return Line(t.Nodes, t.SpacingMeters);
                case "random": return Uniform(t.Nodes, t.WidthMeters, t.HeightMeters, random);
                case "clustered": return Clustered(t, random);
                case "file": return FirstOf(FromFile(Path.Combine(baseDirectory ?? ".", t.File!)), t.NodesGiven);
                default: throw new ArgumentException($"topology.kind: unknown kind '{t.Kind}'");
            }
        }

        /// <summary>The first <paramref name="count"/> positions (all of them when not given).</summary>
        private static (double[] X, double[] Y) FirstOf((double[] X, double[] Y) all, int? count)
        {
            if (count == null || count.Value >= all.X.Length)
            {
                return all;
            }

            return (all.X[..count.Value], all.Y[..count.Value]);
        }

        public static (double[] X, double[] Y) Grid(int n, double spacing)
        {
            int side = (int)Math.Ceiling(Math.Sqrt(n));
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = (i % side) * spacing;
                y[i] = (i / side) * spacing;
            }

            return (x, y);
        }

        public static (double[] X, double[] Y) Line(int n, double spacing)
        {
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = i * spacing;
            }

            return (x, y);
        }

        public static (double[] X, double[] Y) Uniform(int n, double width, double height, IRandomSource random)
        {
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = Unit(random) * width;
                y[i] = Unit(random) * height;
            }

            return (x, y);
        }

        private static (double[] X, double[] Y) Clustered(TopologySettings t, IRandomSource random)
        {
            var cx = new double[t.Clusters];
            var cy = new double[t.Clusters];
            for (int c = 0; c < t.Clusters; c++)
            {
                cx[c] = t.ClusterRadiusMeters + Unit(random) * Math.Max(0, t.WidthMeters - 2 * t.ClusterRadiusMeters);
                cy[c] = t.ClusterRadiusMeters + Unit(random) * Math.Max(0, t.HeightMeters - 2 * t.ClusterRadiusMeters);
            }

            var x = new double[t.Nodes];
            var y = new double[t.Nodes];
            for (int i = 0; i < t.Nodes; i++)
            {
                int c = i % t.Clusters;
                // Uniform in the disc: radius ~ sqrt(u).
                double r = t.ClusterRadiusMeters * Math.Sqrt(Unit(random));
                double a = 2 * Math.PI * Unit(random);
                x[i] = cx[c] + r * Math.Cos(a);
                y[i] = cy[c] + r * Math.Sin(a);
            }

            return (x, y);
        }

        /// <summary>CSV lines "x,y" (a non-numeric first line is a header) or a JSON array of {"x":..,"y":..}.</summary>
        public static (double[] X, double[] Y) FromFile(string path)
        {
            if (!File.Exists(path))
            {
                throw new ArgumentException($"topology.file: '{path}' does not exist");
            }

            var xs = new List<double>();
            var ys = new List<double>();
            string text = File.ReadAllText(path);
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw new ArgumentException("topology.file: a JSON topology must be an array of {\"x\":..,\"y\":..}");
                }

                int i = 0;
                foreach (var e in doc.RootElement.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("x", out var ex) || !e.TryGetProperty("y", out var ey)
                        || ex.ValueKind != JsonValueKind.Number || ey.ValueKind != JsonValueKind.Number)
                    {
                        throw new ArgumentException($"topology.file: entry {i} needs numeric \"x\" and \"y\"");
                    }

                    xs.Add(ex.GetDouble());
                    ys.Add(ey.GetDouble());
                    i++;
                }
            }
            else
            {
                string[] lines = text.Split('\n');
                for (int i = 0; i < lines.Length; i++)
                {
                    string line = lines[i].Trim();
                    if (line.Length == 0 || line.StartsWith('#'))
                    {
                        continue;
                    }

                    string[] parts = line.Split(',');
                    if (parts.Length < 2
                        || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                        || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
                    {
                        if (xs.Count == 0 && i == 0)
                        {
                            continue; // header
                        }

                        throw new ArgumentException($"topology.file: line {i + 1} is not 'x,y': '{line}'");
                    }

                    xs.Add(x);
                    ys.Add(y);
                }
            }

            if (xs.Count == 0)
            {
                throw new ArgumentException($"topology.file: '{path}' holds no positions");
            }

            return (xs.ToArray(), ys.ToArray());
        }

        public static double Unit(IRandomSource random) => random.NextUInt32() / 4294967296.0;
    }
}
