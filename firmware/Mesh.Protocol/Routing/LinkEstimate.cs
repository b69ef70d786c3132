namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// Link cost for structured routing (PROTOCOL.md "Structured routing", link estimate): ETX of the link
    /// to a neighbour = 1 / (q_in × q_out), both reception ratios in 0 … 255, in units of 1/16 transmission.
    /// Each failure of the link (an upward frame not acknowledged after every retry) doubles it.
    /// </summary>
    public static class LinkEstimate
    {
        /// <summary>Cost units per transmission.</summary>
        public const int Unit = 16;

        /// <summary>Links with an ETX above 8 transmissions are not used.</summary>
        public const int MaxEtx16 = 8 * Unit;

        /// <summary>Failures counted per link (the penalty stops doubling there; the link is unusable long before).</summary>
        public const int MaxFailures = 4;

        /// <summary>ETX × 16 of a link heard with inbound quality <paramref name="qIn"/> and outbound <paramref name="qOut"/>, or -1 when unusable.</summary>
        public static int Etx16(int qIn, int qOut, int failures)
        {
            if (qIn <= 0 || qOut <= 0)
            {
                return -1;
            }

            int etx = Unit * 255 * 255 / (qIn * qOut);
            for (int i = 0; i < failures && i < MaxFailures; i++)
            {
                etx *= 2;
            }

            return etx > MaxEtx16 ? -1 : etx;
        }
    }
}
