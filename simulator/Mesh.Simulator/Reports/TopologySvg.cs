using System;
using System.Collections.Generic;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Radio;

namespace Mesh.Simulator.Reports
{
    /// <summary>
    /// The mesh at a glance: nodes at their positions, links coloured by reception probability (only
    /// links at 50 % or better, to stay readable), nodes shaded by how many frames they relayed, gateways
    /// and adversaries marked.
    /// </summary>
    public static class TopologySvg
    {
        public static string Draw(Simulation sim, string title)
        {
            IReadOnlyList<SimNode> nodes = sim.Nodes;
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            long maxRelays = 1;
            foreach (SimNode n in nodes)
            {
                minX = Math.Min(minX, n.X);
                minY = Math.Min(minY, n.Y);
                maxX = Math.Max(maxX, n.X);
                maxY = Math.Max(maxY, n.Y);
                maxRelays = Math.Max(maxRelays, Relays(n));
            }

            const double plot = 760, margin = 40, top = 60, legend = 200;
            double span = Math.Max(1, Math.Max(maxX - minX, maxY - minY));
            double scale = plot / span;
            double width = margin * 2 + plot + legend, height = top + plot + margin;
            double Px(double x) => margin + (x - minX) * scale;
            double Py(double y) => top + (y - minY) * scale;

            var svg = new Svg(width, height);
            svg.Text(margin, 28, title, 18, weight: "bold");
            svg.Text(margin, 46, $"{nodes.Count} nodes · {span:0} m across · links with ≥ 50 % reception", 12, fill: "#555");

            LinkTable links = sim.Links;
            RadioModel radio = sim.Radio;
            double radius = Math.Clamp(300.0 / Math.Sqrt(nodes.Count), 2.0, 9.0);
            double lineWidth = nodes.Count > 400 ? 0.4 : 1.0;
            for (int i = 0; i < nodes.Count; i++)
            {
                for (int l = links.RowStart[i]; l < links.RowStart[i + 1]; l++)
                {
                    int j = links.Target[l];
                    if (j <= i)
                    {
                        continue;
                    }

                    double p = radio.ReceptionProbability(links.Rssi[l]);
                    if (p >= 0.5)
                    {
                        svg.Line(Px(nodes[i].X), Py(nodes[i].Y), Px(nodes[j].X), Py(nodes[j].Y), Palette.Quality((p - 0.5) * 2), lineWidth, 0.55);
                    }
                }
            }

            foreach (SimNode n in nodes)
            {
                long relays = Relays(n);
                string fill = n.Behaviour != NodeBehaviour.Honest ? Palette.Adversary : Palette.Load((double)relays / maxRelays);
                string stroke = n.IsSink ? Palette.Sink : "#333";
                double r = n.IsSink ? radius * 1.8 : radius;
                svg.Circle(Px(n.X), Py(n.Y), r, fill, stroke, n.IsSink ? 2.5 : 0.5,
                    $"node {n.Id} ({n.Role}{(n.Behaviour != NodeBehaviour.Honest ? ", " + n.Behaviour : "")}): {n.Transmissions} transmissions, {relays} relays");
            }

            double lx = margin * 2 + plot, ly = top + 10;
            svg.Text(lx, ly, "Link reception", 13, weight: "bold");
            for (int k = 0; k <= 4; k++)
            {
                double t = k / 4.0;
                svg.Line(lx, ly + 18 + k * 16, lx + 30, ly + 18 + k * 16, Palette.Quality(t), 3);
                svg.Text(lx + 38, ly + 22 + k * 16, $"{50 + t * 50:0} %", 11);
            }

            ly += 120;
            svg.Text(lx, ly, "Frames relayed", 13, weight: "bold");
            for (int k = 0; k <= 4; k++)
            {
                double t = k / 4.0;
                svg.Circle(lx + 8, ly + 18 + k * 18, 6, Palette.Load(t), "#333", 0.5);
                svg.Text(lx + 22, ly + 22 + k * 18, $"{t * maxRelays:0}", 11);
            }

            ly += 120;
            svg.Circle(lx + 8, ly, 7, "#fff", Palette.Sink, 2.5);
            svg.Text(lx + 22, ly + 4, "gateway (sink)", 11);
            svg.Circle(lx + 8, ly + 22, 6, Palette.Adversary);
            svg.Text(lx + 22, ly + 26, "adversary", 11);
            return svg.ToString();
        }

        /// <summary>Frames this node sent that it did not originate.</summary>
        public static long Relays(SimNode n) =>
            n.Core == null ? 0 : Math.Max(0, n.Core.Counters.FramesTransmitted - n.Core.Counters.FramesOriginated);
    }
}
