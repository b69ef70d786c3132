using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>A place in a source file that breaks a <see cref="NanoRule"/>.</summary>
    public sealed class NanoViolation
    {
        public NanoViolation(NanoRule rule, string path, int line, string code)
        {
            Rule = rule;
            Path = path;
            Line = line;
            Code = code;
        }

        public NanoRule Rule { get; }
        public string Path { get; }
        public int Line { get; }
        public string Code { get; }

        public override string ToString() =>
            Path + ":" + Line + ": " + Rule.Id + " " + Rule.Name + "  |  " + Code + "  |  why: " + Rule.Why;
    }

    /// <summary>
    /// Syntax-only check of C# sources against <see cref="NanoRules"/>. Syntax only, on purpose: it needs no
    /// references, so it runs in milliseconds and cannot be fooled by what happens to resolve. Names are
    /// matched where they can denote a type (not after "x." unless x is the System namespace, not as an
    /// object-initializer member), so a property called Queue does not trip the collections rule.
    /// </summary>
    public static class NanoRuleChecker
    {
        /// <summary>
        /// Symbols the board build defines (DEBUG/TRACE from the extension's NFProjectSystem.Default.props,
        /// NANOFRAMEWORK_1_0 from NFProjectSystem.CSharp.targets), so that code the board compiles is what is checked.
        /// </summary>
        public static readonly string[] BoardSymbols = { "DEBUG", "TRACE", "NANOFRAMEWORK_1_0" };

        /// <summary>Parse options for checking: the newest syntax, so nothing hides behind a parse error.</summary>
        public static readonly CSharpParseOptions ParseOptions =
            new CSharpParseOptions(LanguageVersion.Preview, DocumentationMode.None, SourceCodeKind.Regular, BoardSymbols);

        private static readonly HashSet<string> SpanNames = new HashSet<string>(StringComparer.Ordinal)
        {
            "Span", "ReadOnlySpan", "Memory", "ReadOnlyMemory",
        };

        private static readonly HashSet<string> CollectionNames = new HashSet<string>(StringComparer.Ordinal)
        {
            "Hashtable", "Queue", "Stack", "SortedList", "BitArray",
            "Dictionary", "List", "HashSet", "SortedDictionary", "SortedSet", "LinkedList", "PriorityQueue",
            "ConcurrentDictionary", "ConcurrentQueue", "ConcurrentStack", "ConcurrentBag",
            "ReadOnlyCollection", "ObservableCollection", "ImmutableArray", "ImmutableList", "ImmutableDictionary",
        };

        private static readonly string[] CollectionNamespaces =
        {
            "System.Collections.Generic", "System.Collections.Concurrent", "System.Collections.Specialized",
            "System.Collections.ObjectModel", "System.Collections.Immutable",
        };

        private static readonly HashSet<string> EnumHelpers = new HashSet<string>(StringComparer.Ordinal)
        {
            "GetValues", "GetValuesAsUnderlyingType", "GetNames", "GetName", "IsDefined", "Parse", "TryParse",
            "Format", "ToObject", "GetUnderlyingType",
        };

        /// <summary>Checks C# source text; <paramref name="path"/> is only used in the violations.</summary>
        public static IReadOnlyList<NanoViolation> CheckText(string source, string path)
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText(source, ParseOptions, path);
            return Check(tree, path);
        }

        /// <summary>Checks a parsed tree. One violation per rule and line, in line order.</summary>
        public static IReadOnlyList<NanoViolation> Check(SyntaxTree tree, string path)
        {
            var found = new List<NanoViolation>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            SourceTextLines lines = new SourceTextLines(tree);

            void Flag(NanoRule rule, Location location)
            {
                int line = location.GetLineSpan().StartLinePosition.Line + 1;
                if (seen.Add(rule.Id + "@" + line))
                {
                    found.Add(new NanoViolation(rule, path, line, lines.Text(line)));
                }
            }

            SyntaxNode root = tree.GetRoot();

            // A file that does not parse cannot be judged; report it rather than pass it.
            foreach (Diagnostic d in tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                throw new InvalidOperationException(path + " does not parse: " + d);
            }

            foreach (SyntaxNode node in root.DescendantNodes(descendIntoTrivia: true))
            {
                CheckNode(node, rule => Flag(rule, node.GetLocation()));
            }

            foreach (SyntaxToken token in root.DescendantTokens())
            {
                NanoRule? rule = CheckToken(token);
                if (rule != null)
                {
                    Flag(rule, token.GetLocation());
                }
            }

            return found.OrderBy(v => v.Line).ThenBy(v => v.Rule.Id, StringComparer.Ordinal).ToList();
        }

        private static NanoRule? CheckToken(SyntaxToken token)
        {
            switch (token.Kind())
            {
                case SyntaxKind.AsyncKeyword: // modifier on methods, local functions, lambdas
                case SyntaxKind.AwaitKeyword: // await expressions, await foreach, await using
                    return NanoRules.AsyncAwait;
                case SyntaxKind.UnsafeKeyword: // unsafe modifier or block
                case SyntaxKind.FixedKeyword: // fixed statement or fixed-size buffer
                    return NanoRules.Unsafe;
                default:
                    return null;
            }
        }

        private static void CheckNode(SyntaxNode node, Action<NanoRule> flag)
        {
            switch (node)
            {
                case TypeParameterListSyntax:
                    flag(NanoRules.GenericDeclaration);
                    break;

                case GenericNameSyntax generic:
                    flag(NanoRules.GenericName);
                    CheckTypeName(generic, generic.Identifier.Text, flag);
                    break;

                case IdentifierNameSyntax identifier:
                    CheckTypeName(identifier, identifier.Identifier.Text, flag);
                    break;

                case UsingDirectiveSyntax usingDirective:
                    CheckUsing(usingDirective, flag);
                    break;

                case QueryExpressionSyntax:
                    flag(NanoRules.Linq);
                    break;

                case AnonymousFunctionExpressionSyntax: // lambdas (simple, parenthesized) and anonymous methods
                    flag(NanoRules.Lambda);
                    break;

                case StackAllocArrayCreationExpressionSyntax:
                case ImplicitStackAllocArrayCreationExpressionSyntax:
                    flag(NanoRules.Stackalloc);
                    break;

                case UnsafeStatementSyntax:
                case FixedStatementSyntax:
                case PointerTypeSyntax:
                case FunctionPointerTypeSyntax:
                    flag(NanoRules.Unsafe);
                    break;

                case PrefixUnaryExpressionSyntax prefix:
                    if (prefix.IsKind(SyntaxKind.AddressOfExpression) || prefix.IsKind(SyntaxKind.PointerIndirectionExpression))
                    {
                        flag(NanoRules.Unsafe);
                    }
                    else if (prefix.IsKind(SyntaxKind.IndexExpression))
                    {
                        flag(NanoRules.IndexOrRange);
                    }

                    break;

                case MemberAccessExpressionSyntax memberAccess:
                    if (memberAccess.IsKind(SyntaxKind.PointerMemberAccessExpression))
                    {
                        flag(NanoRules.Unsafe);
                    }
                    else if (IsEnumType(memberAccess.Expression) && EnumHelpers.Contains(memberAccess.Name.Identifier.Text))
                    {
                        flag(NanoRules.EnumReflection);
                    }

                    break;

                case ArrayRankSpecifierSyntax rank when rank.Rank > 1:
                    flag(NanoRules.MultidimensionalArray);
                    break;

                case NullableTypeSyntax:
                case NullableDirectiveTriviaSyntax:
                    flag(NanoRules.NullableType);
                    break;

                case TupleTypeSyntax:
                case TupleExpressionSyntax:
                case ParenthesizedVariableDesignationSyntax:
                    flag(NanoRules.Tuple);
                    break;

                case YieldStatementSyntax:
                    flag(NanoRules.Iterator);
                    break;

                case InterpolatedStringExpressionSyntax:
                    flag(NanoRules.InterpolatedString);
                    break;

                case RecordDeclarationSyntax:
                    flag(NanoRules.Record);
                    break;

                case AccessorDeclarationSyntax accessor when accessor.IsKind(SyntaxKind.InitAccessorDeclaration):
                    flag(NanoRules.InitAccessor);
                    break;

                case StructDeclarationSyntax structDeclaration
                    when structDeclaration.Modifiers.Any(SyntaxKind.RefKeyword) || structDeclaration.Modifiers.Any(SyntaxKind.ReadOnlyKeyword):
                    flag(NanoRules.RefOrReadonlyStruct);
                    break;

                case RefTypeSyntax: // ref returns, ref locals, ref fields, ref readonly
                case RefExpressionSyntax: // return ref x; ref int y = ref x;
                    flag(NanoRules.RefReturnOrLocal);
                    break;

                case ParameterSyntax parameter
                    when parameter.Modifiers.Any(SyntaxKind.InKeyword)
                        || parameter.Modifiers.Any(SyntaxKind.ScopedKeyword)
                        || (parameter.Modifiers.Any(SyntaxKind.RefKeyword) && parameter.Modifiers.Any(SyntaxKind.ReadOnlyKeyword)):
                    flag(NanoRules.InParameter);
                    break;

                case ArgumentSyntax argument when argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword):
                    flag(NanoRules.InParameter);
                    break;

                case CatchFilterClauseSyntax:
                    flag(NanoRules.ExceptionFilter);
                    break;

                case MemberDeclarationSyntax member when member.Parent is InterfaceDeclarationSyntax && IsDefaultOrStaticInterfaceMember(member):
                    flag(NanoRules.DefaultInterfaceMember);
                    break;

                case RangeExpressionSyntax:
                    flag(NanoRules.IndexOrRange);
                    break;
            }
        }

        /// <summary>Rules about names that denote types: dynamic, spans, collections, Math.</summary>
        private static void CheckTypeName(SimpleNameSyntax name, string text, Action<NanoRule> flag)
        {
            if (!CanDenoteType(name))
            {
                return;
            }

            if (text == "dynamic" && name is IdentifierNameSyntax)
            {
                flag(NanoRules.Dynamic);
            }

            if (SpanNames.Contains(text))
            {
                flag(NanoRules.SpanOrMemory);
            }

            if (CollectionNames.Contains(text))
            {
                flag(NanoRules.Collections);
            }

            if (text == "Math" || text == "MathF")
            {
                flag(NanoRules.SystemMath);
            }
        }

        /// <summary>
        /// False where the name is certainly a member, not a type: the right of "x.Name" / "x?.Name" (unless x is
        /// the System namespace), an object-initializer target, a named argument.
        /// </summary>
        private static bool CanDenoteType(SimpleNameSyntax name)
        {
            switch (name.Parent)
            {
                case MemberAccessExpressionSyntax access when access.Name == name:
                    return IsSystemNamespace(access.Expression);
                case MemberBindingExpressionSyntax:
                case NameColonSyntax:
                case NameEqualsSyntax:
                    return false;
                case AssignmentExpressionSyntax assignment when assignment.Left == name && assignment.Parent is InitializerExpressionSyntax:
                    return false;
                default:
                    return true;
            }
        }

        private static bool IsSystemNamespace(ExpressionSyntax expression)
        {
            string text = expression.ToString();
            return text == "System" || text == "global::System" || text.StartsWith("System.", StringComparison.Ordinal)
                || text.StartsWith("global::System.", StringComparison.Ordinal);
        }

        private static bool IsEnumType(ExpressionSyntax expression)
        {
            string text = expression.ToString();
            return text == "Enum" || text == "System.Enum" || text == "global::System.Enum";
        }

        private static void CheckUsing(UsingDirectiveSyntax usingDirective, Action<NanoRule> flag)
        {
            string target = usingDirective.NamespaceOrType.ToString();
            if (StartsWithNamespace(target, "System.Linq"))
            {
                flag(NanoRules.Linq);
            }

            if (StartsWithNamespace(target, "System.Threading.Tasks"))
            {
                flag(NanoRules.AsyncAwait);
            }

            if (CollectionNamespaces.Any(ns => StartsWithNamespace(target, ns)))
            {
                flag(NanoRules.Collections);
            }

            if (target == "System.Math" || target == "System.MathF")
            {
                flag(NanoRules.SystemMath);
            }
        }

        private static bool StartsWithNamespace(string target, string ns)
        {
            if (target.StartsWith("global::", StringComparison.Ordinal))
            {
                target = target.Substring("global::".Length);
            }

            return target == ns || target.StartsWith(ns + ".", StringComparison.Ordinal);
        }

        private static bool IsDefaultOrStaticInterfaceMember(MemberDeclarationSyntax member)
        {
            if (member.Modifiers.Any(SyntaxKind.StaticKeyword) || member.Modifiers.Any(SyntaxKind.VirtualKeyword)
                || member.Modifiers.Any(SyntaxKind.SealedKeyword) || member.Modifiers.Any(SyntaxKind.PrivateKeyword)
                || member.Modifiers.Any(SyntaxKind.ProtectedKeyword))
            {
                return true;
            }

            switch (member)
            {
                case BaseMethodDeclarationSyntax method: // methods, operators, conversions, constructors
                    return method.Body != null || method.ExpressionBody != null || !(method is MethodDeclarationSyntax);
                case PropertyDeclarationSyntax property:
                    return property.ExpressionBody != null || HasAccessorBody(property.AccessorList);
                case IndexerDeclarationSyntax indexer:
                    return indexer.ExpressionBody != null || HasAccessorBody(indexer.AccessorList);
                case EventDeclarationSyntax eventDeclaration:
                    return HasAccessorBody(eventDeclaration.AccessorList);
                case BaseFieldDeclarationSyntax field:
                    return !(field is EventFieldDeclarationSyntax); // fields in interfaces are static
                default:
                    return false;
            }
        }

        private static bool HasAccessorBody(AccessorListSyntax? accessors) =>
            accessors != null && accessors.Accessors.Any(a => a.Body != null || a.ExpressionBody != null);

        /// <summary>Line text for messages, trimmed and shortened.</summary>
        private sealed class SourceTextLines
        {
            private readonly SyntaxTree _tree;

            public SourceTextLines(SyntaxTree tree)
            {
                _tree = tree;
            }

            public string Text(int oneBasedLine)
            {
                var lines = _tree.GetText().Lines;
                if (oneBasedLine < 1 || oneBasedLine > lines.Count)
                {
                    return string.Empty;
                }

                string text = lines[oneBasedLine - 1].ToString().Trim();
                return text.Length > 120 ? text.Substring(0, 117) + "..." : text;
            }
        }
    }
}
