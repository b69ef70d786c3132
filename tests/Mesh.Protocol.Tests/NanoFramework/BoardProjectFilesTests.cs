using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>
    /// The board build (firmware/Mesh.Protocol/Mesh.Protocol.nfproj, opened from firmware/Mesh.Firmware.sln in
    /// Visual Studio) cannot be built here, so these facts pin what can be read: that it compiles every core
    /// source, against the CoreLibrary version the compile check uses, at the language version it is checked at.
    /// </summary>
    public class BoardProjectFilesTests
    {
        /// <summary>nanoFramework project type, as in nanoframework/System.Security.Cryptography's .sln and the
        /// extension's class-library template (nf-Visual-Studio-extension CSharp.ClassLibrary/NFClassLibrary.nfproj).</summary>
        private const string NanoProjectTypeGuid = "{11A8DD76-328B-46DF-9F39-F559912D0360}";

        private static string FirmwareDirectory => Path.Combine(NanoPaths.RepoRoot, "firmware");

        private static XElement[] Elements(XDocument doc, string localName) =>
            doc.Descendants().Where(e => e.Name.LocalName == localName).ToArray();

        [Fact]
        public void Board_project_compiles_every_core_source_against_the_pinned_CoreLibrary_at_the_checked_language_version()
        {
            string version = NanoPaths.CoreLibraryVersion();
            XDocument nfproj = XDocument.Load(Path.Combine(NanoPaths.CoreDirectory, "Mesh.Protocol.nfproj"));

            XElement compile = Assert.Single(Elements(nfproj, "Compile"));
            Assert.Equal(@"**\*.cs", (string?)compile.Attribute("Include"));
            string[] excluded = ((string?)compile.Attribute("Exclude") ?? string.Empty).Split(';');
            Assert.Contains(@"bin\**", excluded);
            Assert.Contains(@"obj\**", excluded);

            XElement reference = Assert.Single(Elements(nfproj, "Reference"));
            Assert.StartsWith("mscorlib, Version=" + version + ".0,", (string?)reference.Attribute("Include"), StringComparison.Ordinal);
            Assert.Equal(
                @"..\..\packages\nanoFramework.CoreLibrary." + version + @"\lib\mscorlib.dll",
                Elements(nfproj, "HintPath").Single().Value);

            string[] imports = Elements(nfproj, "Import").Select(i => (string?)i.Attribute("Project") ?? string.Empty).ToArray();
            Assert.Equal(
                new[] { "NFProjectSystem.Default.props", "NFProjectSystem.props", "NFProjectSystem.CSharp.targets" },
                imports.Select(i => i.Replace("$(NanoFrameworkProjectSystemPath)", string.Empty, StringComparison.Ordinal)).ToArray());
            Assert.Equal(@"$(MSBuildExtensionsPath)\nanoFramework\v1.0\", Elements(nfproj, "NanoFrameworkProjectSystemPath").Single().Value);
            Assert.Contains(NanoProjectTypeGuid, Elements(nfproj, "ProjectTypeGuids").Single().Value, StringComparison.OrdinalIgnoreCase);

            Assert.Equal(
                NanoFrameworkRulesTests.BoardLanguageVersion.ToDisplayString(),
                Elements(nfproj, "LangVersion").Single().Value);

            XDocument packages = XDocument.Load(Path.Combine(NanoPaths.CoreDirectory, "packages.config"));
            XElement package = Assert.Single(Elements(packages, "package"));
            Assert.Equal(NanoPaths.CoreLibraryPackageId, (string?)package.Attribute("id"));
            Assert.Equal(version, (string?)package.Attribute("version"));
        }

        [Fact]
        public void Firmware_solution_lists_the_board_project_as_a_nanoFramework_project_and_Mesh_sln_does_not()
        {
            XDocument nfproj = XDocument.Load(Path.Combine(NanoPaths.CoreDirectory, "Mesh.Protocol.nfproj"));
            string projectGuid = Elements(nfproj, "ProjectGuid").Single().Value;
            string firmwareSln = File.ReadAllText(Path.Combine(FirmwareDirectory, "Mesh.Firmware.sln"));
            string meshSln = File.ReadAllText(Path.Combine(NanoPaths.RepoRoot, "Mesh.sln"));

            Assert.Contains(
                "Project(\"" + NanoProjectTypeGuid + "\") = \"Mesh.Protocol\", \"Mesh.Protocol\\Mesh.Protocol.nfproj\", \"" + projectGuid + "\"",
                firmwareSln,
                StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(".nfproj", meshSln, StringComparison.OrdinalIgnoreCase);
        }

        [Theory]
        [MemberData(nameof(BoardPackageTests.BoardProjects), MemberType = typeof(BoardPackageTests))]
        public void Board_application_references_every_package_of_its_packages_config_at_that_version_and_the_solution_lists_it(string folder, string project)
        {
            string board = Path.Combine(FirmwareDirectory, folder);
            XDocument nfproj = XDocument.Load(Path.Combine(board, project));
            XDocument packages = XDocument.Load(Path.Combine(board, "packages.config"));
            Assert.Equal("Exe", Elements(nfproj, "OutputType").Single().Value);
            string[] hints = Elements(nfproj, "HintPath").Select(h => h.Value).ToArray();
            foreach (XElement package in Elements(packages, "package"))
            {
                string libFolder = @"..\..\packages\" + (string?)package.Attribute("id") + "." + (string?)package.Attribute("version") + @"\lib\";
                Assert.True(hints.Count(h => h.StartsWith(libFolder, StringComparison.Ordinal)) == 1, "no single HintPath into " + libFolder);
                Assert.Equal("netnano1.0", (string?)package.Attribute("targetFramework"));
            }

            Assert.Equal(Elements(packages, "package").Length, hints.Length);
            string core = NanoPaths.CoreLibraryVersion();
            Assert.Contains(Elements(packages, "package"), p => (string?)p.Attribute("id") == NanoPaths.CoreLibraryPackageId && (string?)p.Attribute("version") == core);
            string[] projects = Elements(nfproj, "ProjectReference").Select(r => (string)r.Attribute("Include")!).ToArray();
            Assert.Equal(new[] { @"..\Mesh.Protocol\Mesh.Protocol.nfproj", @"..\Mesh.NodeApp\Mesh.NodeApp.nfproj" }, projects);

            string sln = File.ReadAllText(Path.Combine(FirmwareDirectory, "Mesh.Firmware.sln"));
            Assert.Contains("\"" + folder + "\\" + project + "\"", sln, StringComparison.Ordinal);
            Assert.Contains(@"""Mesh.NodeApp\Mesh.NodeApp.nfproj""", sln, StringComparison.Ordinal);
            Assert.Equal("Mesh.Board", Elements(nfproj, "AssemblyName").Single().Value); // one replaces the other on a board
            Assert.Equal("9.0", Elements(nfproj, "LangVersion").Single().Value);
        }

        /// <summary>
        /// The relay image (ESP32-C3): Mesh.Board's own sources, linked, less the two files that use the sensor
        /// bindings and System.Device.I2c, with NO_SENSOR_BINDINGS defined; and no other board source may use them
        /// outside "#if !NO_SENSOR_BINDINGS", or the relay project stops compiling without anyone here noticing.
        /// </summary>
        [Fact]
        public void Relay_image_compiles_the_board_sources_without_the_sensor_bindings_the_bridge_and_the_esp32_library()
        {
            XDocument nfproj = XDocument.Load(Path.Combine(FirmwareDirectory, "Mesh.Board.Relay", "Mesh.Board.Relay.nfproj"));
            XElement compile = Assert.Single(Elements(nfproj, "Compile"));
            Assert.Equal(@"..\Mesh.Board\**\*.cs", (string?)compile.Attribute("Include"));
            string[] excluded = ((string?)compile.Attribute("Exclude") ?? string.Empty).Split(';');
            string[] excludedSources = { @"..\Mesh.Board\Sensors\BindingSensors.cs", @"..\Mesh.Board\Sensors\EspI2cBus.cs", @"..\Mesh.Board\Platform\UartLink.cs" };
            Assert.Equal(new[] { @"..\Mesh.Board\bin\**", @"..\Mesh.Board\obj\**" }.Concat(excludedSources).ToArray(), excluded);
            Assert.Equal("%(RecursiveDir)%(Filename)%(Extension)", compile.Elements().Single(e => e.Name.LocalName == "Link").Value);
            string[] symbols = { "NO_SENSOR_BINDINGS", "NO_BRIDGE", "NO_ESP32_LIBRARY" };
            Assert.Equal(symbols, Elements(nfproj, "DefineConstants").Single().Value.Split(';').Where(d => !d.StartsWith("$(", StringComparison.Ordinal)).ToArray());
            Assert.DoesNotContain(Elements(nfproj, "Reference"), r => ((string)r.Attribute("Include")!).StartsWith("Iot.Device.", StringComparison.Ordinal) || ((string)r.Attribute("Include")!).StartsWith("UnitsNet.", StringComparison.Ordinal)
                || (string)r.Attribute("Include")! is "System.Device.I2c" or "System.IO.Ports" or "nanoFramework.Hardware.Esp32");

            string boardDir = Path.Combine(FirmwareDirectory, "Mesh.Board");
            foreach (string file in Directory.GetFiles(boardDir, "*.cs", SearchOption.AllDirectories))
            {
                string rel = @"..\Mesh.Board\" + Path.GetRelativePath(boardDir, file).Replace('/', '\\');
                if (excludedSources.Contains(rel) || rel.Contains(@"\bin\", StringComparison.Ordinal) || rel.Contains(@"\obj\", StringComparison.Ordinal))
                {
                    continue;
                }

                // The relay build's view of the file: what its #if symbols keep.
                var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), new CSharpParseOptions(preprocessorSymbols: symbols));
                string active = string.Concat(tree.GetRoot().DescendantTokens().Select(t => t.Text + " "));
                foreach (string name in new[] { "Iot . Device", "UnitsNet", "System . Device . I2c", "BindingSensors", "EspI2cBus", "nanoFramework . Hardware . Esp32", "System . IO . Ports", "UartLink", "HighResTimer", "Configuration . SetPinFunction" })
                {
                    Assert.False(active.Contains(name, StringComparison.Ordinal), rel + " uses " + name + " in the relay build: put it under #if !NO_SENSOR_BINDINGS / !NO_BRIDGE / !NO_ESP32_LIBRARY or exclude the file in Mesh.Board.Relay.nfproj");
                }
            }

            Assert.DoesNotContain("Mesh.Board.Relay", File.ReadAllText(Path.Combine(NanoPaths.RepoRoot, "Mesh.sln")), StringComparison.Ordinal);
        }
    }
}
