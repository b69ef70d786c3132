namespace Mesh.Protocol.Serial
{
    /// <summary>
    /// Push decoder for the serial link (PROTOCOL.md, "Serial link framing"). Feed it whatever the UART
    /// delivers, a byte or a chunk at a time; each 0x00 ends a frame. When a frame passes every check,
    /// <see cref="FrameAvailable"/> is true and <see cref="Frame"/>[0 .. <see cref="FrameLength"/>) holds it,
    /// with <see cref="Rssi"/>, until the next byte is pushed. Anything else between two delimiters is
    /// counted under its <see cref="SerialRejectReason"/> and dropped, and decoding starts afresh after the
    /// next 0x00: garbage costs at most the frame it touches. Empty frames (two delimiters in a row: every
    /// encoded frame starts with one) are ignored silently. All buffers are allocated once, here; pushing
    /// never allocates and never throws for any byte sequence. Not thread-safe: one reader owns it.
    /// </summary>
    public sealed class SerialFrameDecoder
    {
        /// <summary>The last accepted frame; valid while <see cref="FrameAvailable"/> is true.</summary>
        public readonly byte[] Frame = new byte[SerialLayout.MaxFrameSize];

        // Counters: plain fields, like NodeCounters, so reading them costs nothing.
        public long FramesAccepted;

        /// <summary>Frames dropped, indexed by <see cref="SerialRejectReason"/>.</summary>
        public readonly long[] Rejected = new long[SerialRejectReasons.Count];

        /// <summary>Non-delimiter bytes that were part of no accepted frame.</summary>
        public long RejectedBytes;

        private readonly byte[] _content = new byte[SerialLayout.MaxContentSize];
        private int _contentLength;
        private int _rawLength;      // bytes since the last delimiter
        private int _code;           // code byte of the current COBS block
        private int _remaining;      // data bytes still due in the current block
        private bool _pendingZero;   // the current block ended with an implied zero, not yet written
        private bool _discarding;    // over-long: drop everything up to the next delimiter
        private bool _frameAvailable;
        private int _frameLength;
        private int _rssi = SerialLayout.RssiUnknown;
        private SerialRejectReason _lastReject;

        public bool FrameAvailable
        {
            get { return _frameAvailable; }
        }

        public int FrameLength
        {
            get { return _frameAvailable ? _frameLength : 0; }
        }

        /// <summary>RSSI byte of the last accepted frame in dBm, or <see cref="SerialLayout.RssiUnknown"/>.</summary>
        public int Rssi
        {
            get { return _rssi; }
        }

        public bool HasRssi
        {
            get { return _rssi != SerialLayout.RssiUnknown; }
        }

        /// <summary>Why the most recent rejected frame was dropped (None if none yet).</summary>
        public SerialRejectReason LastReject
        {
            get { return _lastReject; }
        }

        public long RejectedTotal
        {
            get
            {
                long n = 0;
                for (int i = 0; i < Rejected.Length; i++)
                {
                    n += Rejected[i];
                }

                return n;
            }
        }

        public long RejectedFor(SerialRejectReason reason)
        {
            return Rejected[(int)reason];
        }

        /// <summary>Drops any partial frame (e.g. after the port was reopened); counters are kept.</summary>
        public void Reset()
        {
            StartOver();
            _frameAvailable = false;
        }

        /// <summary>
        /// Pushes data[offset, offset + count) until a frame completes or the bytes run out; returns how many
        /// bytes were consumed. If <see cref="FrameAvailable"/> is then true, read the frame and call again
        /// with the rest. Out-of-range arguments consume nothing.
        /// </summary>
        public int Push(byte[] data, int offset, int count)
        {
            if (data == null || offset < 0 || count <= 0 || offset > data.Length - count)
            {
                return 0;
            }

            for (int i = 0; i < count; i++)
            {
                if (PushByte(data[offset + i]))
                {
                    return i + 1;
                }
            }

            return count;
        }

        /// <summary>Pushes one byte; true if it completed a valid frame (now in <see cref="Frame"/>).</summary>
        public bool PushByte(byte b)
        {
            _frameAvailable = false;
            if (b == SerialLayout.Delimiter)
            {
                return EndOfFrame();
            }

            _rawLength++;
            if (_discarding)
            {
                RejectedBytes++;
                return false;
            }

            if (_remaining == 0)
            {
                // A code byte opens the next block; the previous block's zero is now known to be data.
                if (_pendingZero && !Append(0))
                {
                    return false;
                }

                _code = b;
                _remaining = b - 1;
                _pendingZero = _remaining == 0 && _code != 0xFF;
                return false;
            }

            if (!Append(b))
            {
                return false;
            }

            _remaining--;
            _pendingZero = _remaining == 0 && _code != 0xFF;
            return false;
        }

        private bool Append(byte b)
        {
            if (_contentLength == _content.Length)
            {
                Reject(SerialRejectReason.TooLong);
                _discarding = true;
                return false;
            }

            _content[_contentLength++] = b;
            return true;
        }

        private bool EndOfFrame()
        {
            if (_discarding)
            {
                StartOver(); // counted when the limit was crossed
                return false;
            }

            if (_rawLength == 0)
            {
                return false; // two delimiters in a row: nothing to decode
            }

            if (_remaining != 0)
            {
                Reject(SerialRejectReason.BadStuffing);
                StartOver();
                return false;
            }

            // The last block's implied zero is the frame's end, not data: _pendingZero is dropped.
            int n = _contentLength;
            if (n < SerialLayout.MinContentSize)
            {
                Reject(SerialRejectReason.TooShort);
                StartOver();
                return false;
            }

            int crcAt = n - SerialLayout.CrcSize;
            ushort expected = (ushort)(_content[crcAt] | (_content[crcAt + 1] << 8));
            if (Crc16CcittFalse.Compute(_content, 0, crcAt) != expected)
            {
                Reject(SerialRejectReason.CrcMismatch);
                StartOver();
                return false;
            }

            _frameLength = crcAt - SerialLayout.RssiSize;
            for (int i = 0; i < _frameLength; i++)
            {
                Frame[i] = _content[SerialLayout.RssiSize + i];
            }

            _rssi = (sbyte)_content[0];
            _frameAvailable = true;
            FramesAccepted++;
            StartOver();
            return true;
        }

        private void Reject(SerialRejectReason reason)
        {
            Rejected[(int)reason]++;
            RejectedBytes += _rawLength;
            _lastReject = reason;
        }

        private void StartOver()
        {
            _contentLength = 0;
            _rawLength = 0;
            _code = 0;
            _remaining = 0;
            _pendingZero = false;
            _discarding = false;
        }
    }
}
