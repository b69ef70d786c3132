using Mesh.Protocol;
using Mesh.Protocol.Node;

namespace Mesh.Simulator.Engine
{
    /// <summary>Medium access: when a node with a frame due may start transmitting (random backoff, carrier sense) and when it is woken next.</summary>
    public sealed partial class Simulation
    {
        private void ScheduleWake(SimNode node)
        {
            MeshNode? core = node.Core;
            if (!node.Alive || core == null)
            {
                return;
            }

            long wakeMs = core.NextWakeMs;
            if (wakeMs == long.MaxValue)
            {
                return;
            }

            long wakeUs = wakeMs * 1000;
            if (wakeUs <= _nowUs)
            {
                // A frame is due but waits for the radio: the end of our own transmission or the backoff.
                long radioFree = node.TransmittingUntilUs > _nowUs ? node.TransmittingUntilUs : node.AttemptAtUs;
                wakeUs = radioFree > _nowUs ? radioFree : _nowUs + 1000;
            }

            if (wakeUs < node.ScheduledWakeUs)
            {
                node.WakeToken++;
                node.ScheduledWakeUs = wakeUs;
                _events.Push(wakeUs, EventKind.Wake, node.Index, (int)node.WakeToken);
            }
        }

        /// <summary>802.11 DCF: DIFS (50 µs) plus a random number of 20 µs slots from a window of 16.</summary>
        private static long Backoff(SimNode node)
        {
            return 50 + 20 * RandomExtensions.NextBelow(node.Random, 16);
        }

        /// <summary>
        /// Listen before talk: a due frame first waits a random backoff (nodes woken by the same event
        /// must not all start in the same microsecond), then defers while the channel is busy.
        /// </summary>
        private void TryTransmit(SimNode node)
        {
            MeshNode core = node.Core!;
            if (core.NextTransmitMs > _nowUs / 1000)
            {
                node.AttemptAtUs = 0;
                return;
            }

            if (node.TransmittingUntilUs > _nowUs)
            {
                return; // the end of our transmission brings us back
            }

            if (node.AttemptAtUs == 0)
            {
                node.AttemptAtUs = _nowUs + Backoff(node);
                return;
            }

            if (_nowUs < node.AttemptAtUs)
            {
                return;
            }

            if (_scenario.Radio.Csma && node.ChannelBusyUntilUs > _nowUs)
            {
                node.AttemptAtUs = node.ChannelBusyUntilUs + Backoff(node);
                return;
            }

            node.AttemptAtUs = 0;
            int tx = AllocateTransmission(node.Index);
            if (core.TryTakeTransmit(_nowUs / 1000, _txBytes[tx], 0, out int length))
            {
                _txLength[tx] = length;
                BeginTransmission(node, tx);
            }
            else
            {
                _txFree.Push(tx);
            }
        }
    }
}
