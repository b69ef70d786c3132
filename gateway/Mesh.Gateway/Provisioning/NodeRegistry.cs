using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// The gateway's node registry: one row per provisioned node with its device key (generated here,
    /// at random, never derived from anything), the key's index, and whether the node was evicted. The
    /// file is created private to its owner (0600) because it holds every device key; keys are never
    /// logged or shown after the settings file that carries them was written.
    /// </summary>
    public sealed class NodeRegistry : IDisposable
    {
        private readonly SqliteConnection _db;

        public NodeRegistry(string path)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir != null)
            {
                Directory.CreateDirectory(dir);
            }

            if (!File.Exists(path))
            {
                // Created empty and private before SQLite writes a single key into it.
                using (File.Create(path))
                {
                }

                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }

            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _db.Open();
            Execute("""
                CREATE TABLE IF NOT EXISTS nodes (
                    node_id    INTEGER PRIMARY KEY,
                    device_key TEXT    NOT NULL,
                    key_index  INTEGER NOT NULL,
                    created    TEXT    NOT NULL,
                    evicted    TEXT
                )
                """);
            // A device key rotation in progress (command 8): the key the node may already use. Registries
            // written before rotations existed lack the columns.
            if (!HasColumn("next_device_key"))
            {
                Execute("ALTER TABLE nodes ADD COLUMN next_device_key TEXT");
                Execute("ALTER TABLE nodes ADD COLUMN next_key_index INTEGER");
            }

            // 'gateway' for gateways (this one, and those provisioned from it with `provision --gateway`: a key
            // refresh commands them like nodes); NULL for nodes. Registries written before several gateways lack it.
            if (!HasColumn("role"))
            {
                Execute("ALTER TABLE nodes ADD COLUMN role TEXT");
            }
        }

        /// <summary>The value of the role column for a gateway (NULL: a node).</summary>
        private const string GatewayRole = "gateway";

        public sealed record Entry(uint NodeId, int KeyIndex, DateTimeOffset Created, DateTimeOffset? Evicted, bool IsGateway = false);

        /// <summary>
        /// Generates and stores a fresh device key for <paramref name="nodeId"/> and returns it, for the
        /// settings file only. A node already registered gets a new key under the next index (re-flashing
        /// a board, or recovering one whose flash was lost); an evicted node is not re-admitted silently.
        /// </summary>
        public (byte[] Key, int Index) Provision(uint nodeId, DateTimeOffset now, bool readmitEvicted = false, bool gateway = false)
        {
            if (!NodeAddress.IsValidNodeId(nodeId))
            {
                throw new ArgumentException($"node id {nodeId} is not valid (1 .. 4294967293)");
            }

            Entry? old = Find(nodeId);
            if (old?.Evicted != null && !readmitEvicted)
            {
                throw new InvalidOperationException($"node {nodeId} was evicted on {old.Evicted:u}; provision it with --readmit to take it back");
            }

            byte[] key = RandomNumberGenerator.GetBytes(KeyHex.ShortKeyBytes);
            int index = old == null ? 0 : (old.KeyIndex + 1) % 16;
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO nodes(node_id, device_key, key_index, created, evicted, role) VALUES ($id, $key, $index, $created, NULL, $role)
                ON CONFLICT(node_id) DO UPDATE SET device_key = $key, key_index = $index, created = $created, evicted = NULL,
                    next_device_key = NULL, next_key_index = NULL, role = $role
                """;
            cmd.Parameters.AddWithValue("$role", gateway ? GatewayRole : DBNull.Value);
            cmd.Parameters.AddWithValue("$id", (long)nodeId);
            cmd.Parameters.AddWithValue("$key", KeyHex.Format(key));
            cmd.Parameters.AddWithValue("$index", index);
            cmd.Parameters.AddWithValue("$created", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
            return (key, index);
        }

        /// <summary>Marks a node evicted: its device key is forgotten by <see cref="LoadInto"/> and the next key refresh skips it.</summary>
        public bool Evict(uint nodeId, DateTimeOffset now)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE nodes SET evicted = $at WHERE node_id = $id AND evicted IS NULL";
            cmd.Parameters.AddWithValue("$id", (long)nodeId);
            cmd.Parameters.AddWithValue("$at", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            return cmd.ExecuteNonQuery() == 1;
        }

        /// <summary>
        /// Starts (or resumes) replacing a node's device key: a fresh random key under the next index is
        /// stored beside the current one, which stays current until <see cref="CompleteDeviceKeyRotation"/>.
        /// A rotation already in progress returns its key again — the node may already be using it.
        /// </summary>
        public (byte[] Key, int Index) BeginDeviceKeyRotation(uint nodeId)
        {
            Entry? entry = Find(nodeId) ?? throw new InvalidOperationException($"node {nodeId} is not provisioned");
            if (entry.Evicted != null)
            {
                throw new InvalidOperationException($"node {nodeId} was evicted on {entry.Evicted:u}; provision it with --readmit to take it back");
            }

            using (SqliteCommand read = _db.CreateCommand())
            {
                read.CommandText = "SELECT next_device_key, next_key_index FROM nodes WHERE node_id = $id AND next_device_key IS NOT NULL";
                read.Parameters.AddWithValue("$id", (long)nodeId);
                using SqliteDataReader r = read.ExecuteReader();
                if (r.Read())
                {
                    byte[] pending = KeyHex.Parse(r.GetString(0)) ?? throw new InvalidDataException($"registry entry for node {nodeId} holds a malformed next device key");
                    return (pending, r.GetInt32(1));
                }
            }

            byte[] key = RandomNumberGenerator.GetBytes(KeyHex.ShortKeyBytes);
            int index = (entry.KeyIndex + 1) % 16;
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE nodes SET next_device_key = $key, next_key_index = $index WHERE node_id = $id";
            cmd.Parameters.AddWithValue("$id", (long)nodeId);
            cmd.Parameters.AddWithValue("$key", KeyHex.Format(key));
            cmd.Parameters.AddWithValue("$index", index);
            cmd.ExecuteNonQuery();
            return (key, index);
        }

        /// <summary>
        /// This gateway's own device key was replaced by command 8 from another gateway (its core reported it):
        /// the new key becomes current, so the gateway restarts with it.
        /// </summary>
        public bool ReplaceDeviceKey(uint nodeId, byte[] key, int index)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE nodes SET device_key = $key, key_index = $index, next_device_key = NULL, next_key_index = NULL WHERE node_id = $id";
            cmd.Parameters.AddWithValue("$id", (long)nodeId);
            cmd.Parameters.AddWithValue("$key", KeyHex.Format(key));
            cmd.Parameters.AddWithValue("$index", index);
            return cmd.ExecuteNonQuery() == 1;
        }

        /// <summary>
        /// Writes a new registry at <paramref name="path"/> (created private, 0600, before a key is written)
        /// holding every node that is not evicted with its device keys, for a gateway provisioned from this
        /// one (`provision --gateway`): a gateway on the same mesh needs every device key to open readings.
        /// Evicted nodes are left out (nothing of theirs is to be opened). <paramref name="exportingGateway"/>
        /// is marked a gateway in the copy. Refresh state is not copied: the new gateway drives none of this one's.
        /// </summary>
        public int ExportTo(string path, uint exportingGateway)
        {
            if (File.Exists(path))
            {
                throw new IOException($"{path} exists; it may hold another gateway's registry — remove it first");
            }

            new NodeRegistry(path).Dispose();
            using (SqliteCommand attach = _db.CreateCommand())
            {
                attach.CommandText = "ATTACH DATABASE $path AS export";
                attach.Parameters.AddWithValue("$path", Path.GetFullPath(path));
                attach.ExecuteNonQuery();
            }

            try
            {
                using SqliteCommand copy = _db.CreateCommand();
                copy.CommandText = """
                    INSERT INTO export.nodes(node_id, device_key, key_index, created, evicted, next_device_key, next_key_index, role)
                    SELECT node_id, device_key, key_index, created, NULL, next_device_key, next_key_index,
                           CASE WHEN node_id = $self THEN 'gateway' ELSE role END
                    FROM main.nodes WHERE evicted IS NULL
                    """;
                copy.Parameters.AddWithValue("$self", (long)exportingGateway);
                return copy.ExecuteNonQuery();
            }
            finally
            {
                Execute("DETACH DATABASE export");
            }
        }

        /// <summary>The node acknowledged its new device key: it becomes the node's key, the old one is forgotten.</summary>
        public bool CompleteDeviceKeyRotation(uint nodeId)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = """
                UPDATE nodes SET device_key = next_device_key, key_index = next_key_index, next_device_key = NULL, next_key_index = NULL
                WHERE node_id = $id AND next_device_key IS NOT NULL
                """;
            cmd.Parameters.AddWithValue("$id", (long)nodeId);
            return cmd.ExecuteNonQuery() == 1;
        }

        public Entry? Find(uint nodeId)
        {
            IReadOnlyList<Entry> one = Read("WHERE node_id = $id", nodeId);
            return one.Count == 0 ? null : one[0];
        }

        /// <summary>Every registered node (no keys).</summary>
        public IReadOnlyList<Entry> List() => Read("", null);

        private IReadOnlyList<Entry> Read(string where, uint? nodeId)
        {
            var list = new List<Entry>();
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT node_id, key_index, created, evicted, role FROM nodes " + where + " ORDER BY node_id";
            if (nodeId is uint id)
            {
                cmd.Parameters.AddWithValue("$id", (long)id);
            }

            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new Entry((uint)r.GetInt64(0), r.GetInt32(1), DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture),
                    r.IsDBNull(3) ? null : DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture), !r.IsDBNull(4) && r.GetString(4) == GatewayRole));
            }

            return list;
        }

        /// <summary>
        /// Loads the device keys of every node not evicted into the gateway's directory; returns how many
        /// nodes. A rotation in progress loads its next key beside the current one (not current): the node
        /// may have switched while the gateway was down.
        /// </summary>
        public int LoadInto(DeviceKeyTable table, ICryptoProvider crypto)
        {
            int n = 0;
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT node_id, device_key, key_index, next_device_key, next_key_index FROM nodes WHERE evicted IS NULL";
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                byte[]? key = KeyHex.Parse(r.GetString(1));
                if (key == null)
                {
                    throw new InvalidDataException($"registry entry for node {r.GetInt64(0)} holds a malformed device key");
                }

                table.Add(new DeviceKey((uint)r.GetInt64(0), key, r.GetInt32(2), crypto));
                if (!r.IsDBNull(3) && KeyHex.Parse(r.GetString(3)) is byte[] next)
                {
                    table.Add(new DeviceKey((uint)r.GetInt64(0), next, r.GetInt32(4), crypto), current: false);
                }

                n++;
            }

            return n;
        }

        public void Dispose() => _db.Dispose();

        private bool HasColumn(string name)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM pragma_table_info('nodes') WHERE name = $name";
            cmd.Parameters.AddWithValue("$name", name);
            return (long)cmd.ExecuteScalar()! > 0;
        }

        private void Execute(string sql)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }
    }
}
