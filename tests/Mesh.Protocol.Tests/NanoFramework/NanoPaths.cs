using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>Where the repository, the core's sources and the nanoFramework mscorlib.dll are.</summary>
    public static class NanoPaths
    {
        public const string CoreLibraryPackageId = "nanoFramework.CoreLibrary";

        /// <summary>
        /// The directory holding Mesh.sln, found by walking up from the test assembly. Builds may put their
        /// output outside the tree (dotnet test --artifacts-path /tmp/...), so the walk also starts from this
        /// source file's compile-time path and from the current directory.
        /// </summary>
        public static string RepoRoot => FindRepoRoot();

        /// <summary>firmware/Mesh.Protocol under the repository root.</summary>
        public static string CoreDirectory => Path.Combine(RepoRoot, "firmware", "Mesh.Protocol");

        /// <summary>Every .cs file of the protocol core, bin/ and obj/ excluded, in ordinal order.</summary>
        public static IReadOnlyList<string> CoreSourceFiles()
        {
            string core = CoreDirectory;
            return Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsUnderBuildOutput(Path.GetRelativePath(core, f)))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>firmware/Mesh.NodeApp: the node application the board and mesh-node share, held to the same rules.</summary>
        public static string NodeAppDirectory => Path.Combine(RepoRoot, "firmware", "Mesh.NodeApp");

        /// <summary>Every .cs file of the node application, bin/ and obj/ excluded, in ordinal order.</summary>
        public static IReadOnlyList<string> NodeAppSourceFiles()
        {
            string dir = NodeAppDirectory;
            return Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsUnderBuildOutput(Path.GetRelativePath(dir, f)))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>A path relative to the repository root with forward slashes, for messages.</summary>
        public static string Display(string fullPath) =>
            Path.GetRelativePath(RepoRoot, fullPath).Replace(Path.DirectorySeparatorChar, '/');

        /// <summary>The nanoFramework.CoreLibrary version pinned in Directory.Packages.props.</summary>
        public static string CoreLibraryVersion()
        {
            string props = Path.Combine(RepoRoot, "Directory.Packages.props");
            XDocument doc = XDocument.Load(props);
            XElement? entry = doc.Descendants()
                .Where(e => e.Name.LocalName == "PackageVersion")
                .FirstOrDefault(e => string.Equals((string?)e.Attribute("Include"), CoreLibraryPackageId, StringComparison.OrdinalIgnoreCase));
            string? version = (string?)entry?.Attribute("Version");
            if (string.IsNullOrWhiteSpace(version))
            {
                throw new InvalidOperationException("No PackageVersion for " + CoreLibraryPackageId + " in " + props);
            }

            return version.Trim();
        }

        /// <summary>
        /// lib/mscorlib.dll of the pinned nanoFramework.CoreLibrary in the NuGet global packages folder:
        /// $NUGET_PACKAGES if set, else ~/.nuget/packages (NuGet's own default). The package is restored by
        /// the Mesh.Protocol.Nano project, which this test project builds.
        /// </summary>
        public static string NanoMscorlib()
        {
            string version = CoreLibraryVersion();
            var tried = new List<string>();
            foreach (string root in GlobalPackagesFolders())
            {
                // NuGet lower-cases ids and normalized versions in the global packages folder.
                string candidate = Path.Combine(root, CoreLibraryPackageId.ToLowerInvariant(), version.ToLowerInvariant(), "lib", "mscorlib.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                tried.Add(candidate);
            }

            throw new FileNotFoundException(
                "nanoFramework mscorlib.dll not found (restore firmware/Mesh.Protocol.Nano first). Looked at: " + string.Join(", ", tried));
        }

        private static IEnumerable<string> GlobalPackagesFolders()
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                yield return fromEnvironment;
            }

            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home))
            {
                yield return Path.Combine(home, ".nuget", "packages");
            }
        }

        private static bool IsUnderBuildOutput(string relativePath)
        {
            string first = relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
            return string.Equals(first, "bin", StringComparison.OrdinalIgnoreCase)
                || string.Equals(first, "obj", StringComparison.OrdinalIgnoreCase);
        }

        private static string FindRepoRoot()
        {
            string?[] starts = { AppContext.BaseDirectory, Path.GetDirectoryName(ThisSourceFile()), Directory.GetCurrentDirectory() };
            foreach (string? start in starts)
            {
                for (DirectoryInfo? dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
                    {
                        return dir.FullName;
                    }
                }
            }

            throw new InvalidOperationException("Mesh.sln not found above " + string.Join(" or ", starts));
        }

        private static string ThisSourceFile([CallerFilePath] string path = "") => path;
    }
}
