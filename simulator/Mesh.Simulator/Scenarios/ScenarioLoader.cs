using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Simulator.Scenarios
{
    /// <summary>Reads scenario JSON strictly: an unknown or mistyped field is an error that names it.</summary>
    public static class ScenarioLoader
    {
        public static readonly JsonSerializerOptions Options = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };

        public static Scenario Parse(string json)
        {
            Scenario? s;
            try
            {
                s = JsonSerializer.Deserialize<Scenario>(json, Options);
            }
            catch (JsonException ex)
            {
                string where = string.IsNullOrEmpty(ex.Path) ? "" : ex.Path.TrimStart('$', '.') + ": ";
                throw new ScenarioException(where + Simplify(ex.Message));
            }

            return s ?? throw new ScenarioException("scenario: the file is empty or 'null'");
        }

        public static Scenario Load(string path)
        {
            if (!File.Exists(path))
            {
                throw new ScenarioException($"scenario file '{path}' does not exist");
            }

            Scenario s = Parse(File.ReadAllText(path));
            var errors = ScenarioValidator.Validate(s, Path.GetDirectoryName(Path.GetFullPath(path)));
            if (errors.Count > 0)
            {
                throw new ScenarioException(string.Join(Environment.NewLine, errors));
            }

            return s;
        }

        private static string Simplify(string message)
        {
            int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            return cut > 0 ? message.Substring(0, cut) : message;
        }
    }

    public sealed class ScenarioException : Exception
    {
        public ScenarioException(string message)
            : base(message)
        {
        }
    }
}
