using System;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Radio
{
    /// <summary>
    /// Log-distance path loss with log-normal shadowing (unit disk as a special case), a logistic
    /// reception curve around the sensitivity, and 802.11-style or LoRa airtime.
    /// </summary>
    public sealed class RadioModel
    {
        private readonly RadioSettings _s;
        private readonly ulong _seed;
        private readonly double _logisticScale;
        private readonly long[] _airtimeUs;

        public RadioModel(RadioSettings settings, ulong seed)
        {
            _s = settings;
            _seed = seed;
            // A logistic goes from 10 % to 90 % over 2·ln(9)·scale.
            _logisticScale = Math.Max(1e-6, settings.TransitionDb / (2 * Math.Log(9)));
            _airtimeUs = new long[Mesh.Protocol.Wire.FrameLayout.MaxFrameSize + 1];
            for (int b = 0; b < _airtimeUs.Length; b++)
            {
                _airtimeUs[b] = ComputeAirtime(b);
            }
        }

        public RadioSettings Settings => _s;

        public bool IsUnitDisk => _s.Model == "unitDisk";

        /// <summary>Below this mean RSSI a link is not modelled at all (reception chance under ~0.1 %).</summary>
        public double CutoffDbm => _s.SensitivityDbm - 3 * _s.TransitionDb - 3 * _s.FadingSigmaDb;

        /// <summary>
        /// Carrier sense hears a signal at or above this. Unit disk: every link inside the range, whatever
        /// its RSSI, because in that model being in range is what hearing means.
        /// </summary>
        public double CarrierSenseDbm => IsUnitDisk ? double.NegativeInfinity : _s.SensitivityDbm;

        /// <summary>The farthest distance at which a link can exist, for the spatial grid.</summary>
        public double MaxRangeMeters
        {
            get
            {
                if (IsUnitDisk)
                {
                    return _s.RangeMeters;
                }

                double budget = _s.TxPowerDbm - _s.ReferenceLossDb - CutoffDbm + 3 * _s.ShadowingSigmaDb + 3 * _s.AsymmetrySigmaDb;
                return Math.Pow(10, budget / (10 * _s.PathLossExponent));
            }
        }

        /// <summary>
        /// Mean RSSI at <paramref name="to"/> of frames from <paramref name="from"/>, or NaN when there is no
        /// link. The shadowing is symmetric; the optional asymmetric part is drawn per ordered pair.
        /// Unit disk: the log-distance RSSI without shadowing inside the range (so RSSI-weighted
        /// policies still see near and far), nothing outside.
        /// </summary>
        public double LinkRssi(int from, int to, double distance)
        {
            double pathLoss = _s.ReferenceLossDb + 10 * _s.PathLossExponent * Math.Log10(Math.Max(distance, 1.0));
            if (IsUnitDisk)
            {
                return distance <= _s.RangeMeters ? _s.TxPowerDbm - pathLoss : double.NaN;
            }

            double rssi = _s.TxPowerDbm - pathLoss - _s.ShadowingSigmaDb * Gaussian(Math.Min(from, to), Math.Max(from, to), 0);
            if (_s.AsymmetrySigmaDb > 0)
            {
                rssi -= _s.AsymmetrySigmaDb * Gaussian(from, to, 0xA5A5_5A5A_0F0F_F0F0UL);
            }

            return rssi >= CutoffDbm ? rssi : double.NaN;
        }

        /// <summary>Probability that a frame at this RSSI is received, before collisions and extra loss.</summary>
        public double ReceptionProbability(double rssi)
        {
            if (IsUnitDisk)
            {
                return 1.0;
            }

            return 1.0 / (1.0 + Math.Exp(-(rssi - _s.SensitivityDbm) / _logisticScale));
        }

        /// <summary>
        /// Time on air in microseconds. espNow: preamble plus MAC framing and payload at the bitrate; lora:
        /// the Semtech formula with the frame as the LoRa payload. Every frame size is computed once.
        /// </summary>
        public long AirtimeMicroseconds(int frameBytes)
        {
            return frameBytes >= 0 && frameBytes < _airtimeUs.Length ? _airtimeUs[frameBytes] : ComputeAirtime(frameBytes);
        }

        private long ComputeAirtime(int frameBytes)
        {
            if (_s.Preset == "lora")
            {
                // Rounded to the nanosecond first, so that binary fractions of a whole microsecond do not round it up.
                return (long)Math.Ceiling(Math.Round(LoraAirtime.Seconds(_s.Lora, frameBytes) * 1e6, 3));
            }

            return (long)Math.Ceiling(_s.PreambleMicroseconds + (frameBytes + _s.MacOverheadBytes) * 8 * 1e6 / _s.BitrateBps);
        }

        /// <summary>A standard normal value fixed by (seed, stream, a, b): a link's shadowing never changes.</summary>
        private double Gaussian(int a, int b, ulong stream)
        {
            ulong h = Mix(_seed ^ stream ^ ((ulong)(uint)a << 32 | (uint)b));
            double u1 = ((h >> 11) + 1) / 9007199254740993.0;
            double u2 = (Mix(h) >> 11) / 9007199254740992.0;
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        private static ulong Mix(ulong z)
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
