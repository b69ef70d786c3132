using System;
using System.Threading.Tasks;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Waits for something a running gateway does on its own threads (a counter moving, a state reached), asynchronously so the test holds no thread-pool worker.</summary>
    public static class Poll
    {
        /// <summary>Returns once <paramref name="condition"/> holds; throws, naming <paramref name="what"/>, if it does not within <paramref name="seconds"/>.</summary>
        public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 30)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("not met within " + seconds + " s: " + what);
                }

                await Task.Delay(50);
            }
        }
    }
}
