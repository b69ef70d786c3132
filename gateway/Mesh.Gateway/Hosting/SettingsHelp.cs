using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;

namespace Mesh.Gateway.Hosting
{
    /// <summary>Every setting with its default, for `run --help`: generated from the options themselves, so it cannot drift from them.</summary>
    public static class SettingsHelp
    {
        public static string Text
        {
            get
            {
                var o = new StringBuilder("Settings (gateway/README.md explains each):\n");
                Append(o, new GatewayOptions(), "");
                return o.ToString();
            }
        }

        private static void Append(StringBuilder o, object section, string prefix)
        {
            foreach (PropertyInfo p in section.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
            {
                object? value = p.GetValue(section);
                string key = prefix + p.Name;
                if (p.PropertyType.IsClass && p.PropertyType != typeof(string))
                {
                    Append(o, value!, key + ":");
                    continue;
                }

                string shown = value switch
                {
                    null => "(not set)",
                    string s when s.Length == 0 => "(not set)",
                    bool b => b ? "true" : "false",
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString() ?? "",
                };
                o.Append("  --").Append(key).Append('=').Append(shown).Append('\n');
            }
        }
    }
}
