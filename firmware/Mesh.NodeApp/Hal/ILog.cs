namespace Mesh.NodeApp.Hal
{
    public enum LogLevel
    {
        Info = 0,
        Warning = 1,
        Error = 2,
    }

    /// <summary>Where the node says what it does: Debug.WriteLine on the board, the console on the desktop. Never given the key.</summary>
    public interface ILog
    {
        void Write(LogLevel level, string message);
    }
}
