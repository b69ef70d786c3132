using System;
using System.Globalization;
using System.IO;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// A SQLite file the gateway cannot open because it is damaged (not a database, corrupt) is moved aside
    /// with its WAL and shared-memory files, under a time-stamped name, so that a secondary store (history,
    /// the MQTT outbox) starts empty instead of stopping the gateway's main job, and nothing is deleted.
    /// </summary>
    public static class DamagedDatabase
    {
        /// <summary>Moves <paramref name="path"/> (and its -wal, -shm) aside; returns the new name.</summary>
        public static string MoveAside(string path)
        {
            string full = Path.GetFullPath(path);
            string aside = full + ".damaged-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            foreach (string suffix in new[] { "", "-wal", "-shm" })
            {
                if (File.Exists(full + suffix))
                {
                    File.Move(full + suffix, aside + suffix);
                }
            }

            return aside;
        }

        /// <summary>SQLite's "corrupt" (11) and "not a database" (26): damage, not a permission or disk problem.</summary>
        public static bool IsDamage(Exception? ex) =>
            ex is Microsoft.Data.Sqlite.SqliteException s && (s.SqliteErrorCode == 11 || s.SqliteErrorCode == 26);
    }
}
