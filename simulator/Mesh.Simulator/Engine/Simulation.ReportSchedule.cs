using System;
using Mesh.Protocol.Node;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The readings report spacing took away. A spaced sensor sends fewer readings, and a reading never sent is
    /// in neither the delivery ratio's numerator nor its denominator: on meshtastic-lora-40 "98/98 delivered"
    /// hid that the schedule had asked for more. Between two reports g apart, a sensor whose interval is I
    /// skipped g / I − 1 of them (none when g ≤ I); so does the stretch from its last report to the end of the
    /// measured window, for a sensor alive then. Only the measured window counts; a restart starts afresh.
    /// </summary>
    public sealed partial class Simulation
    {
        /// <summary>A report the core asks for: the gap since the previous one, in the window, beyond one interval.</summary>
        private void NoteReportDue(SimNode node, MeshNode core)
        {
            node.SpacedAwayMilli += SpacedAwayMilli(node, core.ReportIntervalMs, _nowUs);
            node.LastReportDueUs = _nowUs;
        }

        /// <summary>Readings (thousandths) skipped between the node's last report and <paramref name="untilUs"/>, within the measured window.</summary>
        private long SpacedAwayMilli(SimNode node, long intervalMs, long untilUs)
        {
            if (intervalMs <= 0 || node.LastReportDueUs < 0 || !_metrics.MeasuresOrigin(node.Index))
            {
                return 0;
            }

            long from = Math.Max(node.LastReportDueUs, _metrics.WarmupUs);
            long to = Math.Min(untilUs, _metrics.MeasuredUntilUs);
            long intervalUs = intervalMs * 1000;
            return to - from > intervalUs ? (to - from - intervalUs) * 1000 / intervalUs : 0;
        }

        /// <summary>Readings spaced away over the run: the gaps seen, and each live sensor's stretch since its last report.</summary>
        private long SpacedAwayReadings()
        {
            long milli = 0;
            foreach (SimNode node in _nodes)
            {
                milli += node.SpacedAwayMilli;
                if (node.Alive && node.Core != null)
                {
                    milli += SpacedAwayMilli(node, node.Core.ReportIntervalMs, _metrics.MeasuredUntilUs);
                }
            }

            return (milli + 500) / 1000;
        }

        /// <summary>The schedule's readings in the result: those spaced away, refused, and the delivered share of all it asked for.</summary>
        private void FillReportSchedule(ClassMetrics readings)
        {
            readings.SpacedAway = SpacedAwayReadings();
            readings.RefusedAtSend = _metrics.RefusedAtSend(MessageClass.Reading);
            readings.DeliveredOfSchedule = readings.Scheduled == 0 ? 0 : Math.Round((double)readings.Delivered / readings.Scheduled, 4);
        }
    }
}
