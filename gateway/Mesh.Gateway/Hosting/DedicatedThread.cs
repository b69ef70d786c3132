using System;
using System.Threading;
using System.Threading.Tasks;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// Runs a long-lived loop on a background thread of its own instead of the thread pool, and gives a task
    /// that completes (or faults) when the loop returns (or throws).
    /// </summary>
    /// <remarks>
    /// Why: the gateway's loops that block — SQLite commits (outbox, history), the mesh loop that never yields
    /// while frames keep arriving — each held a thread-pool worker for as long as the load lasted. On two cores
    /// the pool keeps about as many workers running as there are cores and adds more only slowly, so MQTT's
    /// continuations (the client's PUBACKs, the embedded broker's reads and writes) queued behind them and the
    /// publisher stalled while frames came in. A thread of its own costs one stack and leaves the pool to MQTT.
    /// </remarks>
    public static class DedicatedThread
    {
        public static Task Start(string name, Action loop)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    loop();
                    done.TrySetResult();
                }
#pragma warning disable CA1031 // handed to whoever awaits the task, as Task.Run would
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (ex is OperationCanceledException oce)
                    {
                        done.TrySetCanceled(oce.CancellationToken);
                    }
                    else
                    {
                        done.TrySetException(ex);
                    }
                }
            })
            {
                IsBackground = true,
                Name = name,
            };
            thread.Start();
            return done.Task;
        }
    }
}
