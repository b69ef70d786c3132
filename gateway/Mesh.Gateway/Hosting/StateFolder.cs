using System;
using System.Collections.Generic;
using System.IO;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// The one folder that holds the gateway's state (sequence checkpoint, outbox, history, HTTP token):
    /// <c>State:Directory</c> / <c>--state-dir</c>, or a per-user default — never the working directory,
    /// so starting the gateway from another folder finds the same state. Relative file settings are
    /// resolved inside it. It refuses to start a fresh sequence where the folder shows an earlier run:
    /// nodes that heard the old sequence would drop every command of the new one as a replay.
    /// </summary>
    public static class StateFolder
    {
        public const string TokenFileName = "http-token";

        /// <summary>
        /// $XDG_STATE_HOME/mesh-gateway or ~/.local/state/mesh-gateway on Linux (XDG base directory
        /// specification); the local application data folder elsewhere (%LOCALAPPDATA%\mesh-gateway).
        /// </summary>
        public static string DefaultPath()
        {
            if (OperatingSystem.IsLinux())
            {
                string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
                string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "state") : xdg, "mesh-gateway");
            }

            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "mesh-gateway");
        }

        /// <summary>Makes the state folder absolute and every relative state file a path inside it.</summary>
        public static void Resolve(GatewayOptions o)
        {
            string dir = Path.GetFullPath(string.IsNullOrWhiteSpace(o.State.Directory) ? DefaultPath() : o.State.Directory);
            o.State.Directory = dir;
            if (!string.IsNullOrWhiteSpace(o.Mesh.SequenceFile))
            {
                o.Mesh.SequenceFile = Path.Combine(dir, o.Mesh.SequenceFile);
            }

            o.Mesh.RegistryFile = Path.Combine(dir, o.Mesh.RegistryFile);
            o.Mqtt.Outbox.Path = Path.Combine(dir, o.Mqtt.Outbox.Path);
            o.History.Path = Path.Combine(dir, o.History.Path);
        }

        public static string TokenPath(GatewayOptions o) => Path.Combine(o.State.Directory!, TokenFileName);

        /// <summary>Creates the folder (private to this user) and checks the sequence checkpoint against the evidence of an earlier run.</summary>
        /// <exception cref="StartupException">The folder cannot be created, or the checkpoint is missing where an earlier run left state.</exception>
        public static void Prepare(GatewayOptions o)
        {
            string dir = o.State.Directory!;
            try
            {
                PrivateFiles.CreatePrivateFolder(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"State:Directory '{dir}' cannot be created ({ex.Message}); choose another with --state-dir");
            }

            string? sequence = o.Mesh.SequenceFile;
            if (string.IsNullOrWhiteSpace(sequence) || File.Exists(sequence) || o.Mesh.AllowFreshSequence)
            {
                return;
            }

            var evidence = new List<string>();
            foreach (string file in new[] { o.Mqtt.Outbox.Path, o.History.Path, TokenPath(o) })
            {
                if (File.Exists(file))
                {
                    evidence.Add(file);
                }
            }

            if (evidence.Count > 0)
            {
                throw new StartupException($"Mesh:SequenceFile '{sequence}' is missing, but {string.Join(" and ", evidence)} show(s) that this gateway ran before. " +
                    "A fresh sequence would start again at 1 and every node that heard the gateway would drop its commands as replays. " +
                    "Restore the sequence file, or start with --state-dir pointing at the earlier state folder; " +
                    "if this really is a new gateway, give it a new Mesh:NodeId and pass --Mesh:AllowFreshSequence=true once.");
            }
        }
    }
}
