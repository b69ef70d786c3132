using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Messages
{
    /// <summary>
    /// Several sensor readings carried in one Readings frame. Reusable: fill it, encode it, clear it.
    /// Wire form: count(u8), then per item quantity(u8) value(i32) — or, for Generic,
    /// 0xFF id(u16) exponent(i8) value(i32). An optional first item 0xFE time(u32), "measured at", says
    /// when the values were measured (stored readings forwarded later); it counts towards count.
    /// </summary>
    public sealed class ReadingSet
    {
        public const int MaxItems = 32;
        public const int StandardItemSize = 5;
        public const int GenericItemSize = 8;

        /// <summary>Item code of the measured-at item (PROTOCOL.md, "Measured at"): 0xFE time (u32).</summary>
        public const int MeasuredAtCode = 0xFE;
        public const int MeasuredAtItemSize = 5;

        private readonly byte[] _quantity;
        private readonly int[] _value;
        private readonly ushort[] _genericId;
        private readonly sbyte[] _exponent;
        private int _count;
        private bool _hasMeasuredAt;
        private uint _measuredAt;

        /// <summary>A set that holds any one a frame carries (<see cref="MaxItems"/> values): to decode with.</summary>
        public ReadingSet()
            : this(MaxItems)
        {
        }

        /// <summary>
        /// A set that holds at most <paramref name="capacity"/> values (1 … <see cref="MaxItems"/>): a node that
        /// only builds its own reports sizes it to its sensors. It decodes only sets that fit.
        /// </summary>
        public ReadingSet(int capacity)
        {
            int n = capacity < 1 ? 1 : (capacity > MaxItems ? MaxItems : capacity);
            _quantity = new byte[n];
            _value = new int[n];
            _genericId = new ushort[n];
            _exponent = new sbyte[n];
        }

        /// <summary>Values this set can hold.</summary>
        public int Capacity
        {
            get { return _quantity.Length; }
        }

        /// <summary>Whether the set carries a measured-at time (network seconds) for its values.</summary>
        public bool HasMeasuredAt
        {
            get { return _hasMeasuredAt; }
        }

        public uint MeasuredAt
        {
            get { return _measuredAt; }
        }

        /// <summary>Marks the values as measured at network time <paramref name="time"/> (encoded as the first item).</summary>
        public void SetMeasuredAt(uint time)
        {
            _hasMeasuredAt = true;
            _measuredAt = time;
        }

        public void ClearMeasuredAt()
        {
            _hasMeasuredAt = false;
            _measuredAt = 0;
        }

        /// <summary>Values in the set (the measured-at item is not one of them).</summary>
        public int Count
        {
            get { return _count; }
        }

        public void Clear()
        {
            _count = 0;
            _hasMeasuredAt = false;
            _measuredAt = 0;
        }

        /// <summary>Drops the items after the first <paramref name="count"/> (a sensor that failed half-way adds nothing).</summary>
        public void Truncate(int count)
        {
            if (count >= 0 && count < _count)
            {
                _count = count;
            }
        }

        public Quantity QuantityAt(int i)
        {
            return (Quantity)_quantity[i];
        }

        public int RawValueAt(int i)
        {
            return _value[i];
        }

        public int ExponentAt(int i)
        {
            return _exponent[i];
        }

        public ushort GenericIdAt(int i)
        {
            return _genericId[i];
        }

        /// <summary>The value in the quantity's unit (raw × 10^exponent).</summary>
        public double ValueAt(int i)
        {
            double v = _value[i];
            int e = _exponent[i];
            while (e < 0)
            {
                v /= 10.0;
                e++;
            }

            while (e > 0)
            {
                v *= 10.0;
                e--;
            }

            return v;
        }

        /// <summary>Adds a standard quantity given as raw integer in its wire unit (e.g. centi-degrees).</summary>
        public bool AddRaw(Quantity quantity, int raw)
        {
            if (_count >= _quantity.Length || quantity == Quantity.Generic || !Quantities.IsDefined((int)quantity))
            {
                return false;
            }

            _quantity[_count] = (byte)quantity;
            _value[_count] = raw;
            _genericId[_count] = 0;
            _exponent[_count] = (sbyte)Quantities.Exponent(quantity);
            _count++;
            return true;
        }

        /// <summary>Adds a standard quantity from a value in its unit, rounded to the wire resolution.</summary>
        public bool Add(Quantity quantity, double value)
        {
            double scaled = value;
            for (int e = Quantities.Exponent(quantity); e < 0; e++)
            {
                scaled *= 10.0;
            }

            // Written so that NaN also fails the range test.
            if (!(scaled <= int.MaxValue && scaled >= int.MinValue))
            {
                return false;
            }

            int raw = (int)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
            return AddRaw(quantity, raw);
        }

        public bool AddGeneric(ushort id, int raw, int exponent)
        {
            if (_count >= _quantity.Length || exponent < -128 || exponent > 127)
            {
                return false;
            }

            _quantity[_count] = (byte)Quantity.Generic;
            _value[_count] = raw;
            _genericId[_count] = id;
            _exponent[_count] = (sbyte)exponent;
            _count++;
            return true;
        }

        public int EncodedLength
        {
            get
            {
                int n = _hasMeasuredAt ? 1 + MeasuredAtItemSize : 1;
                for (int i = 0; i < _count; i++)
                {
                    n += _quantity[i] == (byte)Quantity.Generic ? GenericItemSize : StandardItemSize;
                }

                return n;
            }
        }

        /// <summary>Writes the set; returns bytes written, or -1 if it does not fit in <paramref name="capacity"/>.</summary>
        public int Encode(byte[] b, int o, int capacity)
        {
            int items = _count + (_hasMeasuredAt ? 1 : 0);
            if (EncodedLength > capacity || items > MaxItems)
            {
                return -1;
            }

            int p = o;
            b[p++] = (byte)items;
            if (_hasMeasuredAt)
            {
                b[p++] = MeasuredAtCode;
                LittleEndian.WriteUInt32(b, p, _measuredAt);
                p += 4;
            }

            for (int i = 0; i < _count; i++)
            {
                b[p++] = _quantity[i];
                if (_quantity[i] == (byte)Quantity.Generic)
                {
                    LittleEndian.WriteUInt16(b, p, _genericId[i]);
                    b[p + 2] = (byte)_exponent[i];
                    p += 3;
                }

                LittleEndian.WriteInt32(b, p, _value[i]);
                p += 4;
            }

            return p - o;
        }

        /// <summary>
        /// Whether <paramref name="length"/> bytes at <paramref name="o"/> are a well-formed readings
        /// payload: a count of at most 32, known quantities (a measured-at item only first), and exactly as
        /// many bytes as the items need.
        /// Static and allocation-free, so a node can validate without keeping a set.
        /// </summary>
        public static bool IsWellFormed(byte[] b, int o, int length)
        {
            if (length < 1)
            {
                return false;
            }

            int count = b[o];
            if (count > MaxItems)
            {
                return false;
            }

            int p = o + 1;
            int end = o + length;
            for (int i = 0; i < count; i++)
            {
                if (i == 0 && p < end && b[p] == MeasuredAtCode)
                {
                    if (end - p < MeasuredAtItemSize)
                    {
                        return false;
                    }

                    p += MeasuredAtItemSize;
                    continue;
                }

                if (p >= end || !Quantities.IsDefined(b[p]))
                {
                    return false;
                }

                int need = b[p] == (byte)Quantity.Generic ? GenericItemSize : StandardItemSize;
                if (end - p < need)
                {
                    return false;
                }

                p += need;
            }

            return p == end;
        }

        /// <summary>Total decoder: true and filled, or false (and emptied) for any malformed input.</summary>
        public bool TryDecode(byte[] b, int o, int length)
        {
            Clear();
            if (!IsWellFormed(b, o, length))
            {
                return false;
            }

            int count = b[o];
            int p = o + 1;
            if (count > 0 && b[p] == MeasuredAtCode)
            {
                _hasMeasuredAt = true;
                _measuredAt = LittleEndian.ReadUInt32(b, p + 1);
                p += MeasuredAtItemSize;
                count--;
            }

            if (count > _quantity.Length)
            {
                Clear(); // well formed, but more values than this set was built to hold
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                int q = b[p++];
                _quantity[i] = (byte)q;
                if (q == (int)Quantity.Generic)
                {
                    _genericId[i] = LittleEndian.ReadUInt16(b, p);
                    _exponent[i] = (sbyte)b[p + 2];
                    p += 3;
                }
                else
                {
                    _genericId[i] = 0;
                    _exponent[i] = (sbyte)Quantities.Exponent((Quantity)q);
                }

                _value[i] = LittleEndian.ReadInt32(b, p);
                p += 4;
            }

            _count = count;
            return true;
        }
    }
}
