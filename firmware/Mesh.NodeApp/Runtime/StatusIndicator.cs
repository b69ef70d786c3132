using Mesh.NodeApp.Hal;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// Decides the LED pattern from the node's state, in priority order: identify (someone asked), error
    /// (the radio keeps refusing frames), relaying (relayed in the last two seconds), joined (neighbours
    /// heard), searching. Tells the LED only on changes.
    /// </summary>
    public sealed class StatusIndicator
    {
        public const int RadioFailuresForError = 5;
        public const long RelayingHoldMs = 2000;

        private readonly IStatusLed _led;
        private LedPattern _shown = LedPattern.Off;
        private long _identifyUntil = long.MinValue;
        private long _relayingUntil = long.MinValue;
        private long _lastRelays;

        public StatusIndicator(IStatusLed led)
        {
            _led = led;
            Show(LedPattern.Booting);
        }

        public LedPattern Shown
        {
            get { return _shown; }
        }

        public void Identify(long untilMs)
        {
            _identifyUntil = untilMs;
        }

        /// <summary>The next time the pattern may change by itself (identify or relaying ending).</summary>
        public long NextChangeMs(long nowMs)
        {
            long next = long.MaxValue;
            if (_identifyUntil > nowMs)
            {
                next = _identifyUntil;
            }

            if (_relayingUntil > nowMs && _relayingUntil < next)
            {
                next = _relayingUntil;
            }

            return next;
        }

        public void Update(long nowMs, int neighbours, long relaysTransmitted, int consecutiveRadioFailures, bool allSensorsFailing)
        {
            if (relaysTransmitted != _lastRelays)
            {
                _lastRelays = relaysTransmitted;
                _relayingUntil = nowMs + RelayingHoldMs;
            }

            LedPattern p;
            if (nowMs < _identifyUntil)
            {
                p = LedPattern.Identify;
            }
            else if (consecutiveRadioFailures >= RadioFailuresForError || allSensorsFailing)
            {
                p = LedPattern.Error;
            }
            else if (nowMs < _relayingUntil)
            {
                p = LedPattern.Relaying;
            }
            else if (neighbours > 0)
            {
                p = LedPattern.Joined;
            }
            else
            {
                p = LedPattern.Searching;
            }

            Show(p);
        }

        private void Show(LedPattern p)
        {
            if (p != _shown)
            {
                _shown = p;
                if (_led != null)
                {
                    _led.Show(p);
                }
            }
        }
    }
}
