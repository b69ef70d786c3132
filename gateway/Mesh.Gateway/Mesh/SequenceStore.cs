using System;
using System.Globalization;
using System.IO;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Persists the gateway node's sequence checkpoint (PROTOCOL.md, "Sequence numbers"): without it a
    /// restarted gateway would reuse sequences, and every node would reject its commands as replays.
    /// Written atomically (temp file + rename).
    /// </summary>
    public sealed class SequenceStore
    {
        private readonly string? _path;
        private uint _saved;

        /// <param name="path">File to keep the checkpoint in; null keeps nothing (tests, demo).</param>
        public SequenceStore(string? path)
        {
            _path = path;
        }

        public uint Load()
        {
            if (_path == null || !File.Exists(_path))
            {
                return 1;
            }

            string text = File.ReadAllText(_path).Trim();
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) || value == 0)
            {
                throw new InvalidDataException($"sequence file '{_path}' does not hold a positive integer ('{text}'); " +
                    "restore it or delete it and give the gateway a new NodeId");
            }

            _saved = value;
            return value;
        }

        /// <summary>Stores the checkpoint (atomically); returns once it is on disk, so the caller may confirm it to the core.</summary>
        public void Save(uint checkpoint)
        {
            if (_path == null || checkpoint == _saved)
            {
                _saved = checkpoint;
                return;
            }

            string temp = _path + ".tmp";
            Hosting.PrivateFiles.WriteAllText(temp, checkpoint.ToString(CultureInfo.InvariantCulture));
            File.Move(temp, _path, overwrite: true);
            _saved = checkpoint;
        }
    }
}
