using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.Json;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// Finds settings that bind to nothing: a misspelt key is otherwise silently ignored and its default
    /// used (the issue's typo bound the default port). Every key under the gateway's sections must name a
    /// settable property; top-level sections are checked for the sources a person writes (appsettings.json,
    /// the command line), not for the whole process environment nor the host's own in-memory defaults.
    /// </summary>
    public static class UnknownSettings
    {
        /// <summary>Top-level sections other than the gateway's own that the host itself reads.</summary>
        private static readonly string[] HostSections = { "Logging", "AllowedHosts", "urls", "environment", "contentRoot", "applicationName", "Kestrel" };

        public static void Check(IConfiguration configuration, List<string> errors)
        {
            Dictionary<string, PropertyInfo> sections = Settable(typeof(GatewayOptions));
            foreach ((string name, PropertyInfo property) in sections)
            {
                CheckSection(configuration.GetSection(property.Name), property.PropertyType, errors);
            }

            if (configuration is IConfigurationRoot root)
            {
                foreach (IConfigurationProvider provider in root.Providers)
                {
                    if (provider is not (JsonConfigurationProvider or CommandLineConfigurationProvider))
                    {
                        continue;
                    }

                    foreach (string key in provider.GetChildKeys(Enumerable.Empty<string>(), null).Distinct(StringComparer.OrdinalIgnoreCase))
                    {
                        if (!sections.ContainsKey(key) && !HostSections.Contains(key, StringComparer.OrdinalIgnoreCase))
                        {
                            errors.Add($"{key} is not a setting{Suggest(key, sections.Keys.Select(k => sections[k].Name))}");
                        }
                    }
                }
            }
        }

        private static void CheckSection(IConfigurationSection section, Type type, List<string> errors)
        {
            Dictionary<string, PropertyInfo> known = Settable(type);
            foreach (IConfigurationSection child in section.GetChildren())
            {
                if (!known.TryGetValue(child.Key, out PropertyInfo? property))
                {
                    errors.Add($"{child.Path} is not a setting{Suggest(child.Key, known.Values.Select(p => section.Path + ":" + p.Name), section.Path)}");
                }
                else if (IsSection(property.PropertyType))
                {
                    CheckSection(child, property.PropertyType, errors);
                }
            }
        }

        private static bool IsSection(Type t) => t.IsClass && t != typeof(string);

        private static Dictionary<string, PropertyInfo> Settable(Type type) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

        /// <summary>" (did you mean X?)" for the closest known name within two edits, else the list of known names.</summary>
        private static string Suggest(string key, IEnumerable<string> candidates, string? prefix = null)
        {
            string[] names = candidates.ToArray();
            string? best = null;
            int bestDistance = int.MaxValue;
            foreach (string n in names)
            {
                string last = n.Substring(n.LastIndexOf(':') + 1);
                int d = Distance(key.ToLowerInvariant(), last.ToLowerInvariant());
                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = n;
                }
            }

            return best != null && bestDistance <= 2
                ? $" (did you mean {best}?)"
                : $" (known{(prefix == null ? "" : " under " + prefix)}: {string.Join(", ", names.Select(n => n.Substring(n.LastIndexOf(':') + 1)))})";
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (int j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }
            }

            return d[a.Length, b.Length];
        }
    }
}
