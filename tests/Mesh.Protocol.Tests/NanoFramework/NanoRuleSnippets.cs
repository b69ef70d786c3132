using System.Collections.Generic;
using System.Linq;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>
    /// Small sources for the rule checker's self-test: each must be flagged with its rule, and
    /// <see cref="Clean"/> - written in the allowed subset, with near misses - must not be flagged at all.
    /// </summary>
    public static class NanoRuleSnippets
    {
        /// <summary>(rule id, what the snippet shows, source).</summary>
        public static IReadOnlyList<(string RuleId, string Label, string Code)> Banned { get; } = new[]
        {
            ("NF01", "generic class", "class Box<T> { }"),
            ("NF01", "generic method", "class C { void M<T>(T x) { } }"),
            ("NF01", "generic delegate", "delegate T Make<T>();"),
            ("NF01", "generic local function", "class C { void M() { void L<T>() { } } }"),

            ("NF02", "generic delegate instantiation that mscorlib 1.17.11 declares", "class C { System.Func<int, int> f; }"),
            ("NF02", "explicit generic method call", "class C { int[] a = System.Array.Empty<int>(); }"),

            ("NF03", "async method", "class C { async void M() { } }"),
            ("NF03", "await expression", "class C { async System.Threading.Tasks.Task M() { await System.Threading.Tasks.Task.Yield(); } }"),
            ("NF03", "using System.Threading.Tasks", "using System.Threading.Tasks; class C { }"),
            ("NF03", "async lambda", "class C { void M() { D d = async () => { }; } delegate void D(); }"),
            ("NF03", "await foreach", "class C { async void M(object o) { await foreach (var x in o) { } } }"),

            ("NF04", "using System.Linq", "using System.Linq; class C { }"),
            ("NF04", "query expression", "class C { object M(int[] a) { return from x in a where x > 0 select x; } }"),

            ("NF05", "lambda", "class C { void M() { System.Action a = () => { }; } }"),
            ("NF05", "simple lambda", "class C { void M() { D d = x => x + 1; } delegate int D(int x); }"),
            ("NF05", "anonymous method", "class C { void M() { System.EventHandler h = delegate { }; } }"),
            ("NF05", "lambda in code only the board compiles", "#if NANOFRAMEWORK_1_0\nclass C { System.Action a = () => { }; }\n#endif"),

            ("NF06", "dynamic field", "class C { dynamic d; }"),

            ("NF07", "stackalloc", "class C { void M() { var b = stackalloc byte[4]; } }"),

            ("NF08", "ReadOnlySpan parameter", "class C { void M(System.ReadOnlySpan<byte> b) { } }"),
            ("NF08", "Memory field", "class C { System.Memory<byte> m; }"),

            ("NF09", "unsafe method", "class C { unsafe void M() { } }"),
            ("NF09", "unsafe block", "class C { void M() { unsafe { } } }"),
            ("NF09", "pointer field", "class C { int* p; }"),
            ("NF09", "fixed statement", "class C { void M(byte[] a) { fixed (byte* p = a) { } } }"),
            ("NF09", "fixed-size buffer", "struct S { public fixed byte B[4]; }"),
            ("NF09", "address-of", "class C { void M() { int x = 0; System.IntPtr p = (System.IntPtr)(&x); } }"),
            ("NF09", "pointer member access", "class C { void M(S s) { s->X = 1; } }"),
            ("NF09", "function pointer", "class C { delegate*<void> f; }"),

            ("NF10", "Hashtable", "class C { System.Collections.Hashtable h = new System.Collections.Hashtable(); }"),
            ("NF10", "Queue", "class C { object q = new Queue(); }"),
            ("NF10", "using System.Collections.Generic", "using System.Collections.Generic; class C { }"),
            ("NF10", "List", "class C { object l = new System.Collections.Generic.List<byte>(); }"),

            ("NF11", "multidimensional array", "class C { int[,] grid = new int[2, 3]; }"),

            ("NF12", "nullable value type", "class C { int? n; }"),
            ("NF12", "nullable reference annotation", "class C { string? s; }"),
            ("NF12", "#nullable directive", "#nullable enable\nclass C { }"),

            ("NF13", "tuple type and literal", "class C { (int, int) M() { return (1, 2); } }"),
            ("NF13", "deconstruction", "class C { void M(C c) { var (a, b) = c; } }"),
            ("NF13", "tuple swap", "class C { void M(int a, int b) { (a, b) = (b, a); } }"),

            ("NF14", "yield return", "class C { System.Collections.IEnumerable M() { yield return 1; } }"),

            ("NF15", "interpolated string", "class C { string M(int x) { return $\"x={x}\"; } }"),

            ("NF16", "record class", "record Point(int X, int Y);"),
            ("NF16", "record struct", "record struct Point(int X);"),

            ("NF17", "init accessor", "class C { public int X { get; init; } }"),

            ("NF18", "ref struct", "ref struct R { }"),
            ("NF18", "readonly struct", "readonly struct S { }"),

            ("NF19", "ref return", "class C { int[] a = new int[1]; ref int First() { return ref a[0]; } }"),
            ("NF19", "ref local", "class C { void M(int[] a) { ref int x = ref a[0]; x = 1; } }"),
            ("NF19", "ref readonly return", "class C { ref readonly int M(int[] a) => ref a[0]; }"),

            ("NF20", "in parameter", "class C { void M(in int x) { } }"),
            ("NF20", "ref readonly parameter", "class C { void M(ref readonly int x) { } }"),
            ("NF20", "scoped parameter", "class C { void M(scoped ref int x) { } }"),
            ("NF20", "in argument", "class C { void M(int x) { N(in x); } void N(int y) { } }"),

            ("NF21", "exception filter", "class C { void M() { try { } catch (System.Exception e) when (e != null) { } } }"),

            ("NF22", "default interface method", "interface I { void M() { } }"),
            ("NF22", "default interface property", "interface I { int P { get { return 1; } } }"),
            ("NF22", "static interface member", "interface I { static int X() => 1; }"),

            ("NF23", "Math", "class C { int M(int x) { return Math.Abs(x); } }"),
            ("NF23", "System.Math", "class C { double M() { return System.Math.Sqrt(2); } }"),
            ("NF23", "using static System.Math", "using static System.Math; class C { }"),

            ("NF24", "Enum.GetValues", "class C { System.Array M() { return System.Enum.GetValues(typeof(System.DayOfWeek)); } }"),
            ("NF24", "Enum.IsDefined", "class C { bool M(object o) { return Enum.IsDefined(typeof(System.DayOfWeek), o); } }"),
            ("NF24", "Enum.Parse", "class C { object M() { return Enum.Parse(typeof(System.DayOfWeek), \"Monday\"); } }"),

            ("NF25", "index from end", "class C { int M(int[] a) { return a[^1]; } }"),
            ("NF25", "range", "class C { int[] M(int[] a) { return a[1..2]; } }"),
        };

        /// <summary>The allowed subset, including names and shapes that resemble banned ones.</summary>
        public const string Clean = @"
using System;
using System.Collections;
using System.Threading;

namespace Sample
{
    public delegate void FrameHandler(object sender, EventArgs e);

    public interface IPolicy
    {
        int Delay(int rssi);
        int Count { get; }
    }

    public struct Slot
    {
        public int Origin;
        public uint Sequence;
    }

    /// <summary>Not a <see cref=""Dictionary{TKey,TValue}""/>, and no Math.Abs or List<int> here.</summary>
    public sealed class TransmitQueue
    {
        public int Queue;
        public int List { get; set; }
        public int Math;
    }

    public sealed class Sample : IPolicy
    {
        private readonly byte[] _buffer = new byte[250];
        private readonly byte[][] _rows = new byte[4][];
        private readonly ArrayList _items = new ArrayList();
        private readonly object _gate = new object();
        private readonly TransmitQueue _queue = new TransmitQueue { Queue = 3, List = 1 };

        public event FrameHandler Received;

        public int Count => _items.Count;

        public int Delay(int rssi)
        {
            int clamped = rssi < -90 ? -90 : (rssi > -40 ? -40 : rssi);
            return Abs(clamped) + _queue.Queue + _queue.List + _queue.Math;
        }

        public bool TryRead(int index, out byte value, ref int reads)
        {
            reads++;
            if (index < 0 || index >= _buffer.Length)
            {
                value = 0;
                return false;
            }

            value = _buffer[index];
            return true;
        }

        public string Describe(DayOfWeek day, FrameHandler handler)
        {
            switch (day)
            {
                case DayOfWeek.Monday:
                    return ""start of "" + ""week"";
                default:
                    return ""day "" + ((int)day).ToString() + (handler == null ? """" : "" with handler"");
            }
        }

        public void Run()
        {
            lock (_gate)
            {
                try
                {
                    foreach (object o in _items)
                    {
                        if (o is Slot s && s.Origin != 0)
                        {
                            Received?.Invoke(this, EventArgs.Empty);
                        }
                    }
                }
                catch (InvalidOperationException)
                {
                }
                finally
                {
                    Thread.Sleep(0);
                }
            }

            int n = Square(3);
            _rows[0] = new byte[n];

            int Square(int x)
            {
                return x * x;
            }
        }

        private static int Abs(int x)
        {
            return x < 0 ? -x : x;
        }

#if !NANOFRAMEWORK_1_0
        // Desktop-only code is not the board's concern.
        private static readonly System.Collections.Generic.List<int> DesktopOnly = new System.Collections.Generic.List<int>();
#endif
    }
}
";

        public static IEnumerable<string> RuleIdsCovered() => Banned.Select(s => s.RuleId).Distinct();
    }
}
