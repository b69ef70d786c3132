namespace Mesh.NodeApp.Hal
{
    /// <summary>Monotonic milliseconds and a blocking sleep: the board's timer and Thread.Sleep, a fake clock in tests.</summary>
    public interface IClock
    {
        long NowMs { get; }

        void Sleep(int milliseconds);
    }
}
