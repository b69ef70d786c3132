using System;
using System.Collections.Generic;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Radio
{
    /// <summary>
    /// The scenario's jammers. Each covers a disc for a time span and does two things there: extra random
    /// loss on receptions (lossRate), and, with a duty cycle, occupies the air for the first part of
    /// every period — carrier sense inside the disc hears it busy, and every frame it overlaps at a
    /// receiver inside the disc is lost.
    /// </summary>
    public sealed class Jammers
    {
        private readonly Jammer[] _all;

        public Jammers(IEnumerable<AdversarySettings> adversaries)
        {
            var list = new List<Jammer>();
            foreach (AdversarySettings a in adversaries)
            {
                if (a.Kind != "jammer")
                {
                    continue;
                }

                long period = Math.Max(1, (long)Math.Round(a.PeriodMilliseconds * 1000));
                list.Add(new Jammer
                {
                    Settings = a,
                    RadiusSquared = a.RadiusMeters * a.RadiusMeters,
                    FromUs = (long)Math.Min(a.FromSeconds * 1e6, long.MaxValue / 4),
                    ToUs = (long)Math.Min(a.ToSeconds * 1e6, long.MaxValue / 4),
                    PeriodUs = period,
                    OnUs = (long)Math.Round(a.DutyCycle * period),
                });
            }

            _all = list.ToArray();
        }

        public bool Any => _all.Length > 0;

        /// <summary>Probability that the jammers' random loss takes a reception at (x, y) at time t.</summary>
        public double LossAt(double x, double y, long nowUs)
        {
            double keep = 1.0;
            double t = nowUs / 1e6;
            foreach (Jammer j in _all)
            {
                AdversarySettings a = j.Settings;
                if (t >= a.FromSeconds && t < a.ToSeconds && Inside(j, x, y))
                {
                    keep *= 1 - a.LossRate;
                }
            }

            return 1 - keep;
        }

        /// <summary>When the air at (x, y) stops being occupied by a jammer that is on at <paramref name="nowUs"/>; 0 when none is.</summary>
        public long BusyUntil(double x, double y, long nowUs)
        {
            long until = 0;
            foreach (Jammer j in _all)
            {
                if (j.OnUs <= 0 || nowUs < j.FromUs || nowUs >= j.ToUs || !Inside(j, x, y))
                {
                    continue;
                }

                long periodStart = j.FromUs + (nowUs - j.FromUs) / j.PeriodUs * j.PeriodUs;
                if (nowUs < periodStart + j.OnUs)
                {
                    until = Math.Max(until, Math.Min(periodStart + j.OnUs, j.ToUs));
                }
            }

            return until;
        }

        /// <summary>True when a jammer is on the air at (x, y) at some time in [startUs, endUs).</summary>
        public bool Overlaps(double x, double y, long startUs, long endUs)
        {
            foreach (Jammer j in _all)
            {
                if (j.OnUs <= 0 || endUs <= j.FromUs || startUs >= j.ToUs || !Inside(j, x, y))
                {
                    continue;
                }

                long s = Math.Max(startUs, j.FromUs);
                long periodStart = j.FromUs + (s - j.FromUs) / j.PeriodUs * j.PeriodUs;
                if (s < periodStart + j.OnUs)
                {
                    return true;
                }

                long nextOn = periodStart + j.PeriodUs;
                if (nextOn < endUs && nextOn < j.ToUs)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Inside(Jammer j, double x, double y)
        {
            double dx = x - j.Settings.X, dy = y - j.Settings.Y;
            return dx * dx + dy * dy <= j.RadiusSquared;
        }

        private struct Jammer
        {
            public AdversarySettings Settings;
            public double RadiusSquared;
            public long FromUs;
            public long ToUs;
            public long PeriodUs;
            public long OnUs;
        }
    }
}
