using System.Collections.Generic;
using Mesh.Simulator.Radio;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// What a broadcast costs on these links when its transmissions are chosen with full knowledge of every
    /// link but without learning who received (issue 13's broadcast target read against the radio, as the
    /// reading cost bound reads the reading target). A greedy schedule: after the origin, add one transmitter
    /// at a time (a node may be chosen again: a retransmission), the node with the most expected new receivers
    /// among those more likely than not to hold the frame, until the expected coverage of the origin's component reaches the target. A link carries a
    /// frame with its reception probability times (1 − extra loss); collisions are not counted; a transmitter
    /// sends only if it holds the frame, so it costs its probability of holding it, and receptions are taken
    /// as independent. A greedy estimate, not a proof: a cleverer schedule may need somewhat less; a protocol
    /// that knows only its neighbourhood needs more; one that learns who received (acknowledgements) can
    /// need less, paying for what it learns in frames of its own.
    /// </summary>
    public static class BroadcastSchedule
    {
        /// <summary>A schedule stops after this many transmissions per node of the component (links too weak to reach the target).</summary>
        public const int MaxStepsPerMember = 8;

        /// <summary>Origins sampled (evenly over the included nodes): enough for a mean, cheap at 10,000 nodes.</summary>
        public const int Origins = 16;

        /// <summary>The expected coverage the schedule must reach: issue 13's broadcast target (≥ 99.5 % of the reachable).</summary>
        public const double TargetCoverage = 0.995;

        /// <summary>The mean expected transmissions over <see cref="Origins"/> origins; 0 when no origin has a neighbour.</summary>
        public static double MeanExpectedTransmissions(LinkTable links, double extraLoss, bool[] include, double coverage)
        {
            int n = links.NodeCount;
            var reverse = Reverse(links);
            double sum = 0;
            int counted = 0;
            for (int k = 0; k < Origins && n > 0; k++)
            {
                int origin = (int)((long)k * n / Origins);
                while (origin < n && !include[origin])
                {
                    origin++;
                }

                if (origin >= n)
                {
                    break;
                }

                double tx = ExpectedTransmissions(links, reverse, extraLoss, include, origin, coverage);
                if (tx > 0)
                {
                    sum += tx;
                    counted++;
                }
            }

            return counted > 0 ? sum / counted : 0;
        }

        /// <summary>The expected transmissions of the greedy schedule from <paramref name="origin"/>; 0 when it reaches no one.</summary>
        public static double ExpectedTransmissions(LinkTable links, double extraLoss, bool[] include, int origin, double coverage)
        {
            return ExpectedTransmissions(links, Reverse(links), extraLoss, include, origin, coverage);
        }

        private static double ExpectedTransmissions(LinkTable links, Incoming reverse, double extraLoss, bool[] include, int origin, double coverage)
        {
            int n = links.NodeCount;
            double keep = 1 - extraLoss;
            bool[] member = Component(links, include, origin, out int members);
            if (members < 2)
            {
                return 0;
            }

            // miss[u]: the probability u has not received yet; gain[v]: the expected receivers v's copy would add.
            var miss = new double[n];
            var gain = new double[n];
            for (int u = 0; u < n; u++)
            {
                miss[u] = member[u] && u != origin ? 1 : 0;
            }

            for (int v = 0; v < n; v++)
            {
                if (!member[v])
                {
                    continue;
                }

                for (int l = links.RowStart[v]; l < links.RowStart[v + 1]; l++)
                {
                    gain[v] += miss[links.Target[l]] * links.ReceptionProbability[l] * keep;
                }
            }

            double missing = members - 1;
            double allowed = (1 - coverage) * members;
            double transmissions = 0;
            int steps = 0;
            int next = origin;
            double holds = 1;
            while (next >= 0)
            {
                transmissions += holds;
                for (int l = links.RowStart[next]; l < links.RowStart[next + 1]; l++)
                {
                    int u = links.Target[l];
                    if (!member[u] || miss[u] == 0)
                    {
                        continue;
                    }

                    double d = miss[u] * links.ReceptionProbability[l] * keep * holds;
                    miss[u] -= d;
                    missing -= d;
                    for (int i = reverse.Start[u]; i < reverse.Start[u + 1]; i++)
                    {
                        gain[reverse.From[i]] -= d * reverse.Probability[i] * keep;
                    }
                }

                if (missing <= allowed || ++steps > MaxStepsPerMember * members)
                {
                    break;
                }

                next = -1;
                double best = 1e-9;
                for (int v = 0; v < n; v++)
                {
                    if (member[v] && miss[v] < 0.5 && (1 - miss[v]) * gain[v] > best)
                    {
                        best = (1 - miss[v]) * gain[v];
                        next = v;
                    }
                }

                holds = next >= 0 ? 1 - miss[next] : 0;
            }

            return transmissions;
        }

        /// <summary>The included nodes the origin can reach over links of any probability, and how many.</summary>
        private static bool[] Component(LinkTable links, bool[] include, int origin, out int count)
        {
            var member = new bool[links.NodeCount];
            var queue = new Queue<int>();
            member[origin] = true;
            queue.Enqueue(origin);
            count = 1;
            while (queue.Count > 0)
            {
                int v = queue.Dequeue();
                for (int l = links.RowStart[v]; l < links.RowStart[v + 1]; l++)
                {
                    int u = links.Target[l];
                    if (include[u] && !member[u] && links.ReceptionProbability[l] > 0)
                    {
                        member[u] = true;
                        count++;
                        queue.Enqueue(u);
                    }
                }
            }

            return member;
        }

        /// <summary>Links by receiver: for each u, the transmitters that reach it and with what probability.</summary>
        private sealed class Incoming
        {
            public int[] Start = System.Array.Empty<int>();
            public int[] From = System.Array.Empty<int>();
            public double[] Probability = System.Array.Empty<double>();
        }

        private static Incoming Reverse(LinkTable links)
        {
            int n = links.NodeCount;
            var r = new Incoming { Start = new int[n + 1], From = new int[links.LinkCount], Probability = new double[links.LinkCount] };
            for (int l = 0; l < links.LinkCount; l++)
            {
                r.Start[links.Target[l] + 1]++;
            }

            for (int u = 0; u < n; u++)
            {
                r.Start[u + 1] += r.Start[u];
            }

            var fill = (int[])r.Start.Clone();
            for (int v = 0; v < n; v++)
            {
                for (int l = links.RowStart[v]; l < links.RowStart[v + 1]; l++)
                {
                    int at = fill[links.Target[l]]++;
                    r.From[at] = v;
                    r.Probability[at] = links.ReceptionProbability[l];
                }
            }

            return r;
        }
    }
}
