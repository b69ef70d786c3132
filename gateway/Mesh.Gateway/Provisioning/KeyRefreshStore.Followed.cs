using System;
using System.IO;
using Mesh.Protocol.Security;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// A key refresh another gateway drives, as this gateway's core followed it (commands 6 and 7 sealed
    /// with this gateway's device key, reported as SettingsChanged / NetworkKey). Kept apart from the
    /// refreshes this gateway drives (<c>key_refresh</c>): a restart must restore the key ring, not start
    /// commanding nodes. Stored before the core's acknowledgement leaves, so whatever the driving gateway
    /// was told survives a restart here.
    /// </summary>
    public sealed partial class KeyRefreshStore
    {
        /// <summary>The followed refresh's new key and how far this gateway's key ring went (1 accepted beside the current key, 2 sent).</summary>
        public sealed record FollowedRefresh(int Index, byte[] Key, int Phase);

        /// <summary>The refresh another gateway drives and this gateway follows, or null.</summary>
        public FollowedRefresh? Followed()
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT key_index, key, phase FROM followed_refresh WHERE id = 1";
            using SqliteDataReader r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            byte[] key = KeyHex.Parse(r.GetString(1)) ?? throw new InvalidDataException("the registry's followed key refresh holds a malformed key");
            return new FollowedRefresh(r.GetInt32(0), key, r.GetInt32(2));
        }

        /// <summary>Phase 1: the new key, accepted beside the current one (a later distribution replaces an earlier one, as in the core).</summary>
        public void FollowDistributed(int index, byte[] key) =>
            Update("""
                INSERT INTO followed_refresh(id, key_index, key, phase) VALUES (1, $index, $key, 1)
                ON CONFLICT(id) DO UPDATE SET key_index = $index, key = $key, phase = 1
                """, ("$index", index), ("$key", KeyHex.Format(key)));

        /// <summary>Phase 2: this gateway sends under key <paramref name="index"/>. False when no such key is followed.</summary>
        public bool FollowSwitched(int index)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE followed_refresh SET phase = 2 WHERE id = 1 AND key_index = $index";
            cmd.Parameters.AddWithValue("$index", index);
            return cmd.ExecuteNonQuery() == 1;
        }

        /// <summary>
        /// Phase 3: key <paramref name="index"/> becomes the network key and the followed refresh is over, in
        /// one transaction. False when no such key is followed (a retry of a phase 3 already stored).
        /// </summary>
        public bool FollowRevoked(int index, DateTimeOffset now)
        {
            FollowedRefresh? followed = Followed();
            if (followed == null || followed.Index != index)
            {
                return false;
            }

            using SqliteTransaction tx = _db.BeginTransaction();
            WriteNetworkKey(tx, index, followed.Key, now);
            using (SqliteCommand cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "DELETE FROM followed_refresh WHERE id = 1";
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
            return true;
        }
    }
}
