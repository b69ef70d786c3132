using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Sending the core's frames to every transport, except back onto a shared medium that already heard
    /// the frame (the heard-on table is filled as frames arrive).
    /// </summary>
    public sealed partial class MeshGateway
    {
        private static bool TryKey(byte[] frame, int length, out ulong key)
        {
            key = 0;
            if (length < FrameLayout.HeaderSize)
            {
                return false;
            }

            uint origin = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(FrameLayout.OffsetOrigin));
            uint sequence = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(FrameLayout.OffsetSequence));
            key = ((ulong)origin << 32) | sequence;
            return true;
        }

        private static int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 51); // 13 bits: 8192 slots

        private void RememberHeardOn(FrameIn f)
        {
            int index = -1;
            for (int i = 0; i < _transports.Count; i++)
            {
                if (_transports[i].Name == f.Transport && _transports[i].IsSharedMedium)
                {
                    index = i;
                }
            }

            if (index < 0 || !TryKey(f.Frame, f.Length, out ulong key))
            {
                return;
            }

            int slot = Slot(key);
            if (_heardKeys[slot] != key)
            {
                _heardKeys[slot] = key;
                _heardOn[slot] = 0;
            }

            _heardOn[slot] |= 1 << Math.Min(index, 30);
        }

        /// <summary>True when <paramref name="frame"/> originated elsewhere and was heard on shared-medium transport <paramref name="index"/>.</summary>
        private bool HeardOn(byte[] frame, int length, int index)
        {
            if (!TryKey(frame, length, out ulong key) || (uint)(key >> 32) == _node.NodeId)
            {
                return false;
            }

            int slot = Slot(key);
            return _heardKeys[slot] == key && (_heardOn[slot] & (1 << Math.Min(index, 30))) != 0;
        }

        private async ValueTask FlushAsync(long now, CancellationToken cancellationToken)
        {
            while (_node.TryTakeTransmit(now, _transmit, 0, out int length))
            {
                var frame = new ReadOnlyMemory<byte>(_transmit, 0, length);
                for (int i = 0; i < _transports.Count; i++)
                {
                    IFrameTransport t = _transports[i];
                    if (t.IsSharedMedium && HeardOn(_transmit, length, i))
                    {
                        Interlocked.Increment(ref _relaysSuppressed);
                        continue;
                    }

                    try
                    {
                        await t.SendAsync(frame, cancellationToken).ConfigureAwait(false);
                        _framesOut.AddOrUpdate(t.Name, 1, (_, v) => v + 1);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _logger.LogWarning(ex, "transport {Transport}: send failed", t.Name);
                    }
                }
            }
        }
    }
}
