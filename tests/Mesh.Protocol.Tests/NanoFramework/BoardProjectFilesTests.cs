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

        [Fact]
        public void Board_application_references_every_package_of_its_packages_config_at_that_version_and_the_solution_lists_it()
        {
            string board = Path.Combine(FirmwareDirectory, "Mesh.Board");
            XDocument nfproj = XDocument.Load(Path.Combine(board, "Mesh.Board.nfproj"));
            XDocument packages = XDocument.Load(Path.Combine(board, "packages.config"));
            Assert.Equal("Exe", Elements(nfproj, "OutputType").Single().Value);
            string[] hints = Elements(nfproj, "HintPath").Select(h => h.Value).ToArray();
            foreach (XElement package in Elements(packages, "package"))
            {
                string folder = @"..\..\packages\" + (string?)package.Attribute("id") + "." + (string?)package.Attribute("version") + @"\lib\";
                Assert.True(hints.Count(h => h.StartsWith(folder, StringComparison.Ordinal)) == 1, "no single HintPath into " + folder);
                Assert.Equal("netnano1.0", (string?)package.Attribute("targetFramework"));
            }

            Assert.Equal(Elements(packages, "package").Length, hints.Length);
            string core = NanoPaths.CoreLibraryVersion();
            Assert.Contains(Elements(packages, "package"), p => (string?)p.Attribute("id") == NanoPaths.CoreLibraryPackageId && (string?)p.Attribute("version") == core);
            string[] projects = Elements(nfproj, "ProjectReference").Select(r => (string)r.Attribute("Include")!).ToArray();
            Assert.Equal(new[] { @"..\Mesh.Protocol\Mesh.Protocol.nfproj", @"..\Mesh.NodeApp\Mesh.NodeApp.nfproj" }, projects);

            string sln = File.ReadAllText(Path.Combine(FirmwareDirectory, "Mesh.Firmware.sln"));
            Assert.Contains(@"""Mesh.Board\Mesh.Board.nfproj""", sln, StringComparison.Ordinal);
            Assert.Contains(@"""Mesh.NodeApp\Mesh.NodeApp.nfproj""", sln, StringComparison.Ordinal);
        }
    }
}
