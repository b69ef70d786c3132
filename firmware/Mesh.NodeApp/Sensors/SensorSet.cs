using System;
using Mesh.NodeApp.Hal;
using Mesh.Protocol.Messages;

namespace Mesh.NodeApp.Sensors
{
    /// <summary>
    /// The node's sensors, read together when a report is due. A sensor that fails is reported once (not
    /// at every interval) and again only when it recovers; its failure, even an exception, never stops the
    /// others or the node's relaying.
    /// </summary>
    public sealed class SensorSet
    {
        private readonly ISensor[] _sensors;
        private readonly bool[] _failing;
        private readonly ILog _log;

        public SensorSet(ISensor[] sensors, ILog log)
        {
            _sensors = sensors ?? new ISensor[0];
            _failing = new bool[_sensors.Length];
            _log = log;
        }

        public int Count
        {
            get { return _sensors.Length; }
        }

        /// <summary>The most values one <see cref="ReadAll"/> adds: the sum of the sensors' (a reading set clamps it to 1 … 32).</summary>
        public int MaxValues
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _sensors.Length; i++)
                {
                    n += _sensors[i].MaxValues;
                }

                return n;
            }
        }

        /// <summary>Sensors failing at the last read.</summary>
        public int Failing
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _failing.Length; i++)
                {
                    if (_failing[i])
                    {
                        n++;
                    }
                }

                return n;
            }
        }

        /// <summary>Total failed reads since start (each counted, even when not logged).</summary>
        public long FailedReads { get; private set; }

        public ISensor SensorAt(int i)
        {
            return _sensors[i];
        }

        /// <summary>Reads every sensor into <paramref name="into"/> (cleared first); returns how many sensors answered.</summary>
        public int ReadAll(ReadingSet into)
        {
            into.Clear();
            int ok = 0;
            for (int i = 0; i < _sensors.Length; i++)
            {
                ISensor sensor = _sensors[i];
                int before = into.Count;
                bool read;
                string error;
                try
                {
                    read = sensor.TryRead(into);
                    error = read ? null : sensor.LastError;
                }
                catch (Exception ex)
                {
                    read = false;
                    error = ex.Message;
                }

                if (read)
                {
                    ok++;
                    if (_failing[i])
                    {
                        _failing[i] = false;
                        Log(LogLevel.Info, "sensor " + sensor.Name + " recovered");
                    }
                }
                else
                {
                    FailedReads++;
                    into.Truncate(before); // a half-read sensor adds nothing
                    if (!_failing[i])
                    {
                        _failing[i] = true;
                        Log(LogLevel.Warning, "sensor " + sensor.Name + " failed: " + (error ?? "no reason given") + " (reported once; the node keeps relaying and retries every report)");
                    }
                }
            }

            return ok;
        }

        private void Log(LogLevel level, string message)
        {
            if (_log != null)
            {
                _log.Write(level, message);
            }
        }
    }
}
