using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Security;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// The gateway's network key ring: its thread-safe snapshot, restoring a key refresh at start, and
    /// changes made on the mesh loop.
    /// </summary>
    public sealed partial class MeshGateway
    {
        /// <summary>Index of the network key the gateway sends under now (thread-safe snapshot).</summary>
        public int NetworkKeyIndex => Volatile.Read(ref _keyIndex);

        /// <summary>Its key ring's refresh phase: 0 one key, 1 a new key accepted beside it, 2 the new key sent (thread-safe snapshot).</summary>
        public int NetworkKeyPhase => Volatile.Read(ref _keyPhase);

        /// <summary>
        /// Restores the gateway's key ring to where a key refresh left it before a restart (before
        /// <see cref="RunAsync"/>: the core is single-threaded): <paramref name="next"/> accepted beside
        /// the current key, and sent when <paramref name="phase"/> is 2.
        /// </summary>
        public void RestoreKeyRefresh(NetworkKey next, int phase)
        {
            if (!_node.NetworkKeys.Distribute(next) || (phase == NetworkKeyRing.PhaseSwitched && !_node.NetworkKeys.Advance(next.Index, phase)))
            {
                throw new InvalidOperationException($"the stored key refresh (index {next.Index}, phase {phase}) does not fit the current network key (index {_node.NetworkKeys.Current.Index})");
            }

            SnapshotKeys();
        }

        /// <summary>
        /// Changes the gateway's own network key ring on the mesh loop (key refresh: <see cref="NetworkKeyRing.Distribute"/>,
        /// <see cref="NetworkKeyRing.Advance"/>); completes with what <paramref name="change"/> returned.
        /// </summary>
        public Task<bool> ChangeNetworkKeysAsync(Func<NetworkKeyRing, bool> change, CancellationToken cancellationToken)
        {
            var request = new KeyRingChange(change, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!_inbox.Writer.TryWrite(request))
            {
                throw new InvalidOperationException("the gateway's mesh loop is stopped or its inbox is full");
            }

            _wake.Set();

            return request.Completion.Task.WaitAsync(cancellationToken);
        }

        private void SnapshotKeys()
        {
            Volatile.Write(ref _keyIndex, _node.NetworkKeys.Transmit.Index);
            Volatile.Write(ref _keyPhase, _node.NetworkKeys.Phase);
        }
    }
}
