using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Simulator.Scenarios
{
    /// <summary>
    /// Sets one numeric field of a scenario by its JSON path (`radio.bitrateBps`,
    /// `workload.broadcastIntervalSeconds`, `adversaries[0].dutyCycle`, `radio.lora.spreadingFactor`):
    /// what `mesh-sim sweep --param` varies. The scenario goes through its own JSON, so any field the
    /// schema has is reachable and a wrong path or a fraction for a whole-number field is named.
    /// </summary>
    public static class ScenarioPath
    {
        /// <summary>A copy of <paramref name="scenario"/> with the field at <paramref name="path"/> set to <paramref name="value"/>.</summary>
        public static Scenario With(Scenario scenario, string path, double value)
        {
            JsonNode root = JsonSerializer.SerializeToNode(scenario, ScenarioLoader.Options)!;
            Set(root, path, value);
            if (path == "topology.widthMeters")
            {
                // The documented square-area sweep: width and height together.
                Set(root, "topology.heightMeters", value);
            }

            try
            {
                return root.Deserialize<Scenario>(ScenarioLoader.Options)!;
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"{path}: {Format(value)} does not fit the field ({FirstSentence(ex.Message)})");
            }
        }

        /// <summary>Throws (naming the path) unless <paramref name="path"/> is a numeric field of <paramref name="scenario"/>.</summary>
        public static void Check(Scenario scenario, string path)
        {
            JsonNode root = JsonSerializer.SerializeToNode(scenario, ScenarioLoader.Options)!;
            Set(root, path, 0);
        }

        private static void Set(JsonNode root, string path, double value)
        {
            string[] parts = path.Split('.');
            JsonNode node = root;
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                int index = -1;
                int bracket = part.IndexOf('[', StringComparison.Ordinal);
                if (bracket >= 0)
                {
                    if (!part.EndsWith(']') || !int.TryParse(part.AsSpan(bracket + 1, part.Length - bracket - 2), NumberStyles.None, CultureInfo.InvariantCulture, out index))
                    {
                        throw new ArgumentException($"{path}: '{part}' is not name or name[index]");
                    }

                    part = part.Substring(0, bracket);
                }

                string where = string.Join('.', parts, 0, i + 1);
                if (node is not JsonObject obj || !obj.ContainsKey(part))
                {
                    throw new ArgumentException($"{path}: the scenario has no field '{where}'");
                }

                bool last = i == parts.Length - 1;
                if (index >= 0)
                {
                    if (obj[part] is not JsonArray array || index >= array.Count)
                    {
                        throw new ArgumentException($"{path}: '{where}' has no such element");
                    }

                    if (last)
                    {
                        throw new ArgumentException($"{path}: a list element is not a number");
                    }

                    node = array[index]!;
                    continue;
                }

                if (last)
                {
                    JsonNode? current = obj[part];
                    bool numeric = current == null ? part == "nodes" : current.GetValueKind() == JsonValueKind.Number;
                    if (!numeric)
                    {
                        throw new ArgumentException($"{path}: not a numeric field");
                    }

                    obj[part] = value;
                    return;
                }

                node = obj[part] ?? throw new ArgumentException($"{path}: '{where}' is not in the scenario (add it to the file first)");
            }
        }

        private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

        private static string FirstSentence(string message)
        {
            int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            return cut > 0 ? message.Substring(0, cut) : message;
        }
    }
}
