namespace Mesh.Protocol.Wire
{
    /// <summary>Low nibble of byte 0. Bits not defined here must be zero in v2.</summary>
    public static class FrameFlags
    {
        /// <summary>
        /// The payload is sealed end to end under a device key (SIV: payload MIC + AES-CTR), readable
        /// only by that device and the gateways that provisioned it.
        /// </summary>
        public const int DeviceSealed = 0x1;

        /// <summary>With DeviceSealed: the key is the destination's device key (gateway → node); otherwise the origin's.</summary>
        public const int Downlink = 0x2;

        /// <summary>The payload is sealed under the network key (every node can read it); for broadcast text.</summary>
        public const int NetworkSealed = 0x4;

        public const int PayloadSealed = DeviceSealed | NetworkSealed;

        public const int DefinedMask = DeviceSealed | Downlink | NetworkSealed;

        /// <summary>Whether a flag combination is meaningful: at most one sealing, Downlink only with DeviceSealed.</summary>
        public static bool AreConsistent(int flags)
        {
            if ((flags & DeviceSealed) != 0 && (flags & NetworkSealed) != 0)
            {
                return false;
            }

            return (flags & Downlink) == 0 || (flags & DeviceSealed) != 0;
        }
    }
}
