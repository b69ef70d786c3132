using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Hosting
{
    /// <summary>Binds and validates <see cref="GatewayOptions"/>; every failure names the setting.</summary>
    public static class OptionsLoader
    {
        public static GatewayOptions Load(IConfiguration configuration, out IReadOnlyList<string> errors, bool allowWeakKey = false)
        {
            GatewayOptions options;
            try
            {
                options = configuration.Get<GatewayOptions>(b => b.ErrorOnUnknownConfiguration = false) ?? new GatewayOptions();
            }
            catch (InvalidOperationException ex)
            {
                // The binder's message names the key and the expected type, e.g.
                // "Failed to convert configuration value at 'Mqtt:Port' to type 'System.Int32'."
                errors = new[] { ex.Message };
                return new GatewayOptions();
            }

            options.Mesh.AllowWeakKey = allowWeakKey;
            var all = new List<string>();
            UnknownSettings.Check(configuration, all);
            all.AddRange(options.Validate());
            errors = all;
            if (errors.Count == 0)
            {
                StateFolder.Resolve(options);
            }

            return options;
        }
    }
}
