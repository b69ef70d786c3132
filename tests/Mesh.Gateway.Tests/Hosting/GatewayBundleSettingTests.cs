using System;
using System.Collections.Generic;
using Mesh.Gateway.Hosting;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Node;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tests.Hosting
{
    /// <summary>
    /// Mesh:BundleFrames (PROTOCOL.md, "Bundles"): on by default; an operator whose mesh still has boards flashed before
    /// bundles — they refuse a bundle whole — turns it off, and the gateway's core then sends one frame per radio frame.
    /// </summary>
    public class GatewayBundleSettingTests
    {
        [Theory]
        [InlineData(null, true)]
        [InlineData("false", false)]
        [InlineData("true", true)]
        public void Mesh_BundleFrames_reaches_the_gateways_core(string? value, bool expected)
        {
            var settings = new Dictionary<string, string?>();
            if (value != null)
            {
                settings["Mesh:BundleFrames"] = value;
            }

            IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            MeshSettings mesh = config.GetSection("Mesh").Get<MeshSettings>() ?? new MeshSettings();
            var keys = new DerivedDeviceKeys(new byte[16], DesktopCrypto.Instance);
            NodeConfig c = GatewayApp.NodeConfigFor(mesh, keys, TimeProvider.System);
            Assert.Equal(expected, c.BundleFrames);
        }
    }
}
