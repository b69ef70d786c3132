using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>
    /// Keeps the protocol core (firmware/Mesh.Protocol) inside what .NET nanoFramework 1.x can run. The rules
    /// and their sources are in <see cref="NanoRules"/>; the checker is <see cref="NanoRuleChecker"/>.
    /// </summary>
    public class NanoFrameworkRulesTests
    {
        /// <summary>
        /// The language version the board build compiles at: the nanoFramework Visual Studio extension's
        /// NFProjectSystem.Default.props sets LangVersion 9.0 for every .nfproj
        /// (nanoframework/nf-Visual-Studio-extension, VisualStudio.Extension-2022/Targets), and
        /// firmware/Mesh.Protocol/Mesh.Protocol.nfproj pins the same value (see BoardProjectFilesTests).
        /// </summary>
        public const LanguageVersion BoardLanguageVersion = LanguageVersion.CSharp9;

        private readonly ITestOutputHelper _output;

        public NanoFrameworkRulesTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Core_sources_use_no_language_feature_or_library_that_nanoFramework_1x_cannot_run()
        {
            IReadOnlyList<string> files = NanoPaths.CoreSourceFiles();
            AssertLooksLikeTheCore(files);

            var violations = new List<NanoViolation>();
            foreach (string file in files)
            {
                string path = NanoPaths.Display(file);
                violations.AddRange(NanoRuleChecker.CheckText(File.ReadAllText(file), path));
            }

            _output.WriteLine("checked " + files.Count + " files against " + NanoRules.All.Count + " rules");
            Assert.True(
                violations.Count == 0,
                violations.Count + " nanoFramework 1.x rule violation(s) in the protocol core:" + Environment.NewLine
                + string.Join(Environment.NewLine, violations.Select(v => v.ToString())));
        }

        [Fact]
        public void Core_sources_compile_against_nothing_but_the_nanoFramework_mscorlib_at_the_board_language_version()
        {
            IReadOnlyList<string> files = NanoPaths.CoreSourceFiles();
            AssertLooksLikeTheCore(files);
            string mscorlib = NanoPaths.NanoMscorlib();

            var parseOptions = new CSharpParseOptions(BoardLanguageVersion, DocumentationMode.None, SourceCodeKind.Regular, NanoRuleChecker.BoardSymbols);
            var trees = files
                .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, NanoPaths.Display(f)))
                .ToList();
            var options = new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Disable,
                deterministic: true);
            CSharpCompilation compilation = CSharpCompilation.Create(
                "Mesh.Protocol.NanoCheck", trees, new[] { MetadataReference.CreateFromFile(mscorlib) }, options);

            // Emit, not just GetDiagnostics: some failures (missing members the compiler synthesizes calls to)
            // only surface while generating IL.
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe);

            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var warnings = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();
            _output.WriteLine("compiled " + files.Count + " files against " + mscorlib + " at C# " + BoardLanguageVersion.ToDisplayString()
                + ": " + errors.Count + " error(s), " + warnings.Count + " warning(s)");
            foreach (Diagnostic w in warnings)
            {
                _output.WriteLine("warning: " + w);
            }

            Assert.True(
                errors.Count == 0,
                errors.Count + " error(s) compiling the core against " + mscorlib + " only, at C# "
                + BoardLanguageVersion.ToDisplayString() + ":" + Environment.NewLine
                + string.Join(Environment.NewLine, errors.Select(d => d.ToString())));
            Assert.True(result.Success);
        }

        public static TheoryData<string, string, string> BannedSnippets()
        {
            var data = new TheoryData<string, string, string>();
            foreach ((string ruleId, string label, string code) in NanoRuleSnippets.Banned)
            {
                data.Add(ruleId, label, code);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(BannedSnippets))]
        public void Rule_checker_flags_each_banned_feature_with_its_rule(string ruleId, string label, string code)
        {
            IReadOnlyList<NanoViolation> found = NanoRuleChecker.CheckText(code, "snippet.cs");

            Assert.True(
                found.Any(v => v.Rule.Id == ruleId),
                "expected " + ruleId + " for '" + label + "' in: " + code + Environment.NewLine + "got: "
                + (found.Count == 0 ? "nothing" : string.Join("; ", found.Select(v => v.Rule.Id))));
        }

        [Fact]
        public void Rule_checker_passes_code_written_in_the_allowed_subset_including_near_misses()
        {
            IReadOnlyList<NanoViolation> found = NanoRuleChecker.CheckText(NanoRuleSnippets.Clean, "clean.cs");

            Assert.True(found.Count == 0, string.Join(Environment.NewLine, found.Select(v => v.ToString())));
        }

        [Fact]
        public void Every_rule_has_a_self_test_snippet_and_every_snippet_names_a_rule()
        {
            var ruleIds = NanoRules.All.Select(r => r.Id).ToList();
            var covered = NanoRuleSnippets.RuleIdsCovered().ToList();

            Assert.Equal(ruleIds.Count, ruleIds.Distinct().Count());
            Assert.Empty(ruleIds.Except(covered));
            Assert.Empty(covered.Except(ruleIds));
            Assert.All(NanoRules.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Why)));
        }

        [Fact]
        public void Allowed_snippet_compiles_against_the_nanoFramework_mscorlib_so_the_two_checks_agree()
        {
            // The clean snippet is the rule checker's picture of the allowed subset; if it stopped compiling
            // against the device's mscorlib, that picture would be wrong.
            var parseOptions = new CSharpParseOptions(BoardLanguageVersion, DocumentationMode.None, SourceCodeKind.Regular, NanoRuleChecker.BoardSymbols);
            CSharpCompilation compilation = CSharpCompilation.Create(
                "Clean",
                new[] { CSharpSyntaxTree.ParseText(NanoRuleSnippets.Clean, parseOptions) },
                new[] { MetadataReference.CreateFromFile(NanoPaths.NanoMscorlib()) },
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));

            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(d => d.ToString())));
        }

        /// <summary>Guards the file walk itself: an empty or wrong directory would make both checks pass vacuously.</summary>
        [Fact]
        public void Node_application_sources_follow_the_same_nanoFramework_rules_as_the_core()
        {
            IReadOnlyList<string> files = NanoPaths.NodeAppSourceFiles();
            Assert.True(files.Count >= 10, "too few node application sources found");
            var violations = new List<NanoViolation>();
            foreach (string file in files)
            {
                violations.AddRange(NanoRuleChecker.CheckText(File.ReadAllText(file), NanoPaths.Display(file)));
            }

            Assert.True(
                violations.Count == 0,
                violations.Count + " nanoFramework 1.x rule violation(s) in the node application:" + Environment.NewLine
                + string.Join(Environment.NewLine, violations.Select(v => v.ToString())));
        }

        [Fact]
        public void Board_layer_sources_follow_the_same_nanoFramework_rules()
        {
            string dir = Path.Combine(NanoPaths.RepoRoot, "firmware", "Mesh.Board");
            var files = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
                .ToList();
            Assert.True(files.Count >= 10, "too few board sources found");
            var violations = new List<NanoViolation>();
            foreach (string file in files)
            {
                violations.AddRange(NanoRuleChecker.CheckText(File.ReadAllText(file), NanoPaths.Display(file)));
            }

            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations.Select(v => v.ToString())));
        }

        [Fact]
        public void Node_application_and_core_compile_together_against_nothing_but_the_nanoFramework_mscorlib()
        {
            var files = NanoPaths.CoreSourceFiles().Concat(NanoPaths.NodeAppSourceFiles()).ToList();
            var parseOptions = new CSharpParseOptions(BoardLanguageVersion, DocumentationMode.None, SourceCodeKind.Regular, NanoRuleChecker.BoardSymbols);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, NanoPaths.Display(f))).ToList();
            var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable, deterministic: true);
            CSharpCompilation compilation = CSharpCompilation.Create(
                "Mesh.NodeApp.NanoCheck", trees, new[] { MetadataReference.CreateFromFile(NanoPaths.NanoMscorlib()) }, options);
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe);
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            _output.WriteLine("compiled " + files.Count + " files (core + node application): " + errors.Count + " error(s)");
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(d => d.ToString())));
        }

        private static void AssertLooksLikeTheCore(IReadOnlyList<string> files)
        {
            var sb = new StringBuilder();
            foreach (string f in files)
            {
                sb.Append(NanoPaths.Display(f)).Append(' ');
            }

            string listing = sb.ToString();
            Assert.True(files.Count >= 10, "too few core sources found: " + listing);
            Assert.Contains("firmware/Mesh.Protocol/Wire/FrameCodec.cs", listing, StringComparison.Ordinal);
            Assert.DoesNotContain("/obj/", listing, StringComparison.Ordinal);
            Assert.DoesNotContain("/bin/", listing, StringComparison.Ordinal);
        }
    }
}
