namespace Mesh.NodeApp.Hal
{
    /// <summary>What the status LED shows. The driver turns a pattern into blinking.</summary>
    public enum LedPattern
    {
        Off = 0,

        /// <summary>Fast blink: starting up, no radio yet.</summary>
        Booting = 1,

        /// <summary>Short blip every 2 s: on the air, no neighbour heard yet.</summary>
        Searching = 2,

        /// <summary>Steady on: neighbours heard (part of a mesh).</summary>
        Joined = 3,

        /// <summary>Flicker: relaying frames for others right now.</summary>
        Relaying = 4,

        /// <summary>Double blink: something is wrong (radio refuses to send, every sensor failing).</summary>
        Error = 5,

        /// <summary>Very fast blink: a person asked which board this is (identify command).</summary>
        Identify = 6,
    }

    public interface IStatusLed
    {
        void Show(LedPattern pattern);
    }
}
