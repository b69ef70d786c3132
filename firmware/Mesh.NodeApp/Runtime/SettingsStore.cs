using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Settings;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>Loads and saves <see cref="NodeSettings"/> through the platform's store, as text.</summary>
    public sealed class SettingsStore
    {
        private readonly IConfigStore _store;
        private readonly ILog _log;

        public SettingsStore(IConfigStore store, ILog log)
        {
            _store = store;
            _log = log;
        }

        /// <summary>
        /// The stored settings over <paramref name="defaults"/>. A missing, unreadable or partly malformed
        /// store falls back to the defaults for what it lacks, each reason logged.
        /// </summary>
        public NodeSettings Load(NodeSettings defaults)
        {
            NodeSettings s = defaults.Copy();
            byte[] data = null;
            try
            {
                data = _store.Load();
            }
            catch (System.Exception ex)
            {
                Log(LogLevel.Error, "settings: cannot read the store (" + ex.Message + "); using defaults");
            }

            if (data == null)
            {
                Log(LogLevel.Info, "settings: nothing stored; using defaults");
                return s;
            }

            int problems = ParseInto(data, s);
            if (problems < 0)
            {
                Log(LogLevel.Error, "settings: stored bytes are not UTF-8 text; using defaults");
            }
            else if (problems > 0)
            {
                Log(LogLevel.Warning, "settings: " + problems + " line(s) ignored; those settings keep their defaults");
            }

            return s;
        }

        /// <summary>
        /// Applies a settings update (any subset of lines, same format as the file) over <paramref name="settings"/>
        /// and saves the result. This is how a running board's settings are changed from outside without
        /// replacing the whole file: replacing it would also drop the frame-sequence checkpoint the node keeps
        /// there, and its neighbours would then reject its frames as replays.
        /// </summary>
        public bool ApplyUpdate(NodeSettings settings, byte[] update)
        {
            if (update == null)
            {
                return false;
            }

            int problems = ParseInto(update, settings);
            if (problems < 0)
            {
                Log(LogLevel.Error, "settings update: not UTF-8 text; ignored");
                return false;
            }

            Log(problems > 0 ? LogLevel.Warning : LogLevel.Info, "settings update: applied" + (problems > 0 ? ", " + problems + " line(s) ignored" : ""));
            return Save(settings);
        }

        public bool Save(NodeSettings settings)
        {
            byte[] data = Utf8.GetBytes(NodeSettingsText.Format(settings));
            bool ok;
            try
            {
                ok = _store.Save(data, data.Length);
            }
            catch (System.Exception ex)
            {
                Log(LogLevel.Error, "settings: cannot write the store (" + ex.Message + ")");
                return false;
            }

            if (!ok)
            {
                Log(LogLevel.Error, "settings: the store refused the write; the change lasts until the next reboot");
            }

            return ok;
        }

        /// <summary>Applies the lines of <paramref name="data"/> to <paramref name="into"/>: how many were rejected, or -1 (nothing applied) when it is not text.</summary>
        private int ParseInto(byte[] data, NodeSettings into)
        {
            string text;
            try
            {
                text = Utf8.GetString(data, 0, data.Length);
            }
            catch (System.Exception)
            {
                return -1;
            }

            return NodeSettingsText.Parse(text, into, _log);
        }

        private void Log(LogLevel level, string message)
        {
            if (_log != null)
            {
                _log.Write(level, message);
            }
        }
    }
}
