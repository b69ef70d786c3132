using System.Collections.Generic;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>One language feature or library dependency the protocol core must not use.</summary>
    public sealed class NanoRule
    {
        public NanoRule(string id, string name, string why)
        {
            Id = id;
            Name = name;
            Why = why;
        }

        /// <summary>Stable identifier, e.g. "NF01".</summary>
        public string Id { get; }

        /// <summary>What is banned, in a few words.</summary>
        public string Name { get; }

        /// <summary>Why, and where that comes from (shown in failure messages).</summary>
        public string Why { get; }

        public override string ToString() => Id + " " + Name;
    }

    /// <summary>
    /// The rules the protocol core (firmware/Mesh.Protocol) follows so that it runs on .NET nanoFramework
    /// 1.x. The compile check (the Mesh.Protocol.Nano project and the in-process compilation test) already
    /// proves that every API the core calls exists in the device's mscorlib; these rules catch what that
    /// check cannot: features that compile against that mscorlib but that the 1.x metadata processor or
    /// interpreter cannot run, and features whose compile error would be obscure. Each rule says where it
    /// comes from. "mscorlib 1.17.11" means the nanoFramework.CoreLibrary 1.17.11 package's lib/mscorlib.dll,
    /// whose type list was read directly (System.Reflection.Metadata) when these rules were written.
    /// </summary>
    public static class NanoRules
    {
        // Stable nanoFramework 1.x has no generics at all: the 2.x "generics public preview" is a different
        // firmware, VS extension and set of 2.0 NuGet packages, and 1.x and 2.x libraries cannot be mixed.
        // Source: nanoframework/nf-interpreter README-GENERICS.md ("previous versions of .NET nanoFramework
        // did not have support for generics"; "It is not possible to mix libraries pre-generics (version 1.x)
        // with generics"); nanoframework/nanoFramework.IoT.Device tips-trick.md ("There is no generic (yet)").
        public static readonly NanoRule GenericDeclaration = new NanoRule(
            "NF01", "generic type or method declaration (type parameter list)",
            "nanoFramework 1.x has no generics; 2.x preview only (nf-interpreter README-GENERICS.md, IoT.Device tips-trick.md)");

        // Same source as NF01. Note that mscorlib 1.17.11 does declare Action<T>, Action<T1,T2>, Func<...>
        // and EventHandler<T> (nanoframework/CoreLibrary PR #116), so `Func<int, int>` COMPILES against it;
        // only this rule keeps such instantiations out of the core.
        public static readonly NanoRule GenericName = new NanoRule(
            "NF02", "generic name usage or instantiation",
            "nanoFramework 1.x cannot instantiate generics; mscorlib 1.17.11 still declares Action<T>/Func<T,R>/EventHandler<T>, so this compiles but must not be used (README-GENERICS.md)");

        // mscorlib 1.17.11 has no System.Threading.Tasks, no AsyncTaskMethodBuilder, no IAsyncStateMachine.
        // Source: the assembly's type list; architecture.md "Running on nanoFramework" (UdpClient has no async);
        // async/await on the Micro Framework lineage was only ever an open request (NETMF/netmf-interpreter#361).
        public static readonly NanoRule AsyncAwait = new NanoRule(
            "NF03", "async/await (or System.Threading.Tasks)",
            "no Task, AsyncTaskMethodBuilder or IAsyncStateMachine in mscorlib 1.17.11 (NETMF/netmf-interpreter#361 never implemented)");

        // LINQ is System.Linq.Enumerable over IEnumerable<T> (generic) and delegates; mscorlib 1.17.11 has no
        // System.Linq namespace. Source: the assembly's type list; README-GENERICS.md (no generics in 1.x).
        public static readonly NanoRule Linq = new NanoRule(
            "NF04", "LINQ (query syntax or System.Linq)",
            "System.Linq is generic and absent from mscorlib 1.17.11 (README-GENERICS.md)");

        // PROJECT RULE, not a runtime limitation: nanoFramework does run lambdas and anonymous methods
        // (they are a pure compiler feature, as on the .NET Micro Framework). The core bans them because a
        // capturing lambda allocates a closure object and a delegate each time it is evaluated, and the core's
        // hot paths must not allocate on a device with ~54-79 KB of managed heap (architecture.md).
        public static readonly NanoRule Lambda = new NanoRule(
            "NF05", "lambda or anonymous method",
            "project rule: closures allocate a display class and a delegate per evaluation; the core must not allocate on a ~54-79 KB heap (architecture.md)");

        // `dynamic` needs the C# runtime binder (Microsoft.CSharp) and the DLR; neither exists for nanoFramework,
        // and mscorlib 1.17.11 has no DynamicAttribute. Source: the assembly's type list.
        public static readonly NanoRule Dynamic = new NanoRule(
            "NF06", "dynamic",
            "needs Microsoft.CSharp's runtime binder and the DLR; none exists for nanoFramework (no DynamicAttribute in mscorlib 1.17.11)");

        // stackalloc compiles to the `localloc` opcode, which the interpreter lists among its unsupported
        // opcodes. Source: nanoframework/nf-interpreter src/CLR/Core/Interpreter.cpp ("Unsupported opcodes...":
        // CEE_LOCALLOC, CEE_CPBLK, CEE_INITBLK, CEE_CALLI, CEE_JMP, CEE_ARGLIST, CEE_MKREFANY ...).
        public static readonly NanoRule Stackalloc = new NanoRule(
            "NF07", "stackalloc",
            "compiles to localloc, listed under 'Unsupported opcodes' in nf-interpreter src/CLR/Core/Interpreter.cpp");

        // Span<T>/ReadOnlySpan<T>/Memory<T> are generic ref structs; mscorlib 1.x has only the nanoFramework-
        // specific, [Obsolete] SpanByte. Span<T> arrives with the 2.x generics CoreLibrary (nanoframework/
        // CoreLibrary PR #245 "Merge generics support in mscorlib", System/Span.cs). Ref-struct indexers
        // returning by ref failed at runtime on 1.x (nanoframework/Home#641, CLR_E_WRONG_TYPE).
        // IoT.Device tips-trick.md: Span<byte> had to be converted to SpanByte.
        public static readonly NanoRule SpanOrMemory = new NanoRule(
            "NF08", "Span/ReadOnlySpan/Memory/ReadOnlyMemory",
            "not in mscorlib 1.x (only the obsolete SpanByte); Span<T> comes with the 2.x generics CoreLibrary (CoreLibrary PR #245, Home#641, IoT.Device tips-trick.md)");

        // The metadata processor refuses pointer-typed locals: "Pointer types in unsafe code aren't supported"
        // (nanoframework/metadata-processor MetadataProcessor.Shared/nanoAssemblyBuilder.cs); `fixed` pins
        // through a pointer local; cpblk/initblk/localloc/calli are unsupported opcodes (Interpreter.cpp).
        public static readonly NanoRule Unsafe = new NanoRule(
            "NF09", "unsafe code, fixed, pointers",
            "metadata-processor nanoAssemblyBuilder.cs throws 'Pointer types in unsafe code aren't supported'; pointer opcodes unsupported (Interpreter.cpp)");

        // mscorlib 1.17.11's System.Collections holds only ArrayList and the non-generic interfaces.
        // Hashtable, Queue and Stack live in the separate nanoFramework.System.Collections package (the core
        // must not depend on it: the board's mscorlib is its only reference); Dictionary/List/HashSet/... are
        // generic. Source: the assembly's type list; IoT.Device tips-trick.md ("no Queue in nanoFramework ...
        // replace the Queue by an ArrayList"); NuGet nanoFramework.System.Collections.
        public static readonly NanoRule Collections = new NanoRule(
            "NF10", "collection type not in nanoFramework mscorlib (Hashtable, Queue, Stack, Dictionary, List, ...)",
            "mscorlib 1.17.11 has only ArrayList; Hashtable/Queue/Stack are in the separate nanoFramework.System.Collections package, the rest are generic (IoT.Device tips-trick.md)");

        // Source: nanoframework/metadata-processor Tables/nanoTypeSpecificationsTable.cs throws ".NET
        // nanoFramework doesn't have support for multidimensional arrays"; IoT.Device tips-trick.md
        // ("multidimensional Arrays [,] are not supported in .NET nanoFramework", use jagged arrays).
        public static readonly NanoRule MultidimensionalArray = new NanoRule(
            "NF11", "multidimensional array ([,])",
            "metadata-processor nanoTypeSpecificationsTable.cs: 'doesn't have support for multidimensional arrays'; IoT.Device tips-trick.md");

        // `int?` is System.Nullable<T>, a generic struct absent from mscorlib 1.17.11 (README-GENERICS.md).
        // `string?` is only an annotation, but the core builds with nullable disabled (Mesh.Protocol.csproj),
        // where it is warning CS8632, and syntax alone cannot tell the two apart: both are banned, as is
        // #nullable. Source: the assembly's type list (no System.Nullable`1).
        public static readonly NanoRule NullableType = new NanoRule(
            "NF12", "nullable type (T?) or #nullable",
            "int? is Nullable<T>, generic and absent from mscorlib 1.17.11; the core is nullable-oblivious by design (Mesh.Protocol.csproj)");

        // Tuples and deconstruction are System.ValueTuple<...>, generic and absent from mscorlib 1.17.11.
        public static readonly NanoRule Tuple = new NanoRule(
            "NF13", "tuple type, tuple literal or deconstruction",
            "System.ValueTuple<...> is generic and absent from mscorlib 1.17.11 (README-GENERICS.md)");

        // An iterator compiles to a state-machine class implementing IEnumerable<T>/IEnumerator<T> (generic
        // even for a non-generic IEnumerable result) and allocates per call. The Micro Framework's metadata
        // processor failed on iterators (NETMF/netmf-interpreter#105: "Using yield ... generates CLR_E_FAIL").
        public static readonly NanoRule Iterator = new NanoRule(
            "NF14", "iterator (yield)",
            "the generated state machine implements IEnumerator<T> (generic) and allocates; NETMF/netmf-interpreter#105 (MMP CLR_E_FAIL on yield)");

        // $"..." lowers to DefaultInterpolatedStringHandler (a ref struct) on .NET 10 but, because mscorlib
        // 1.17.11 lacks that type and FormattableString, to String.Format(string, object[]) on the board:
        // boxing, an object[] per call, and nanoFramework's own subset of format specifiers (architecture.md),
        // so the two builds of the core would allocate and format differently. The core concatenates instead.
        public static readonly NanoRule InterpolatedString = new NanoRule(
            "NF15", "string interpolation ($\"...\")",
            "no DefaultInterpolatedStringHandler/FormattableString in mscorlib 1.17.11: the board build falls back to String.Format (boxing, object[], subset of format strings) and behaves differently from .NET 10");

        // Records synthesize IEquatable<T>, EqualityComparer<T>.Default and init accessors. nanoframework/
        // CoreLibrary's own records test (Tests/NFUnitTestRecords/UnitTestRecords.cs) is entirely commented out.
        public static readonly NanoRule Record = new NanoRule(
            "NF16", "record",
            "records synthesize IEquatable<T>/EqualityComparer<T> (generic); CoreLibrary Tests/NFUnitTestRecords/UnitTestRecords.cs is entirely commented out");

        // mscorlib 1.17.11 does contain IsExternalInit (CoreLibrary PR #163, added for records), so `init`
        // compiles. But an init setter's signature carries modreq(IsExternalInit), and the metadata processor's
        // signature writer handles only optional modifiers (metadata-processor Tables/nanoSignaturesTable.cs,
        // WriteTypeInfo); the only upstream test that would exercise it (records) is commented out.
        public static readonly NanoRule InitAccessor = new NanoRule(
            "NF17", "init accessor",
            "setter signature carries modreq(IsExternalInit); metadata-processor nanoSignaturesTable.cs handles only optional modifiers; upstream records test commented out");

        // ref struct / readonly struct need IsByRefLikeAttribute/IsReadOnlyAttribute (compiler-embedded) and the
        // ref-safety model around Span; mscorlib 1.x's only ref struct is SpanByte, and a ref struct with a
        // by-ref indexer failed on the device (nanoframework/Home#641). PROJECT RULE for readonly struct: it
        // would probably run, but it exists to avoid defensive copies of large structs, which the core avoids
        // by not having any; keeping it out keeps the device and desktop IL simple and alike.
        public static readonly NanoRule RefOrReadonlyStruct = new NanoRule(
            "NF18", "ref struct or readonly struct",
            "ref structs are the Span ref-safety model (absent in 1.x; Home#641 CLR_E_WRONG_TYPE on a ref struct); readonly struct is a project rule");

        // Ref returns and ref locals produce managed pointers outside argument slots. nanoframework/Home#641:
        // `public ref byte this[int index] => ref _array[index]` raised CLR_E_WRONG_TYPE on the device. The
        // metadata processor writes DATATYPE_BYREF for parameters (ParameterDefintionExtensions.cs) - plain
        // ref/out PARAMETERS are supported and allowed.
        public static readonly NanoRule RefReturnOrLocal = new NanoRule(
            "NF19", "ref return, ref local or ref expression",
            "by-ref returns failed on device (nanoframework/Home#641, CLR_E_WRONG_TYPE); ref/out parameters stay allowed");

        // `in` / `ref readonly` parameters are encoded with modreq(System.Runtime.InteropServices.InAttribute)
        // on virtual and interface members - InAttribute is absent from mscorlib 1.17.11 (only OutAttribute) -
        // and the metadata processor handles no required modifiers (nanoSignaturesTable.cs). `scoped` is part
        // of the same ref-safety model.
        public static readonly NanoRule InParameter = new NanoRule(
            "NF20", "in / ref readonly / scoped parameter (or in argument)",
            "encoded with modreq(InAttribute): no InAttribute in mscorlib 1.17.11, no modreq handling in metadata-processor nanoSignaturesTable.cs");

        // PROJECT RULE (conservative): the interpreter inherited filter support from the .NET Micro Framework
        // (nf-interpreter src/CLR/Core/Thread.cpp ProcessException_EndFilter, a pseudo stack frame that copies
        // locals), but CoreLibrary's exception test suite (Tests/NFUnitTestException) has no `catch ... when`
        // test, and a sibling Micro Framework descendant locked up on filters (ghi-electronics/TinyCLR-Ports#177).
        // The core never throws past its codec, so it has no need for them.
        public static readonly NanoRule ExceptionFilter = new NanoRule(
            "NF21", "exception filter (catch ... when)",
            "project rule: implemented in nf-interpreter Thread.cpp but untested upstream (no filter test in CoreLibrary Tests/NFUnitTestException); TinyCLR-Ports#177 lockup");

        // mscorlib 1.17.11 declares RuntimeFeature.DefaultImplementationsOfInterfaces (CoreLibrary PR #164), so
        // default interface members COMPILE; yet CoreLibrary's only test of them (Tests/NFUnitTestInterface/
        // UnitTestInterfaceTests.cs, DefaultInterfaceMembers_01_Test) is commented out and its interfaces have no
        // default bodies. Static interface members (C# 8/11) go with it.
        public static readonly NanoRule DefaultInterfaceMember = new NanoRule(
            "NF22", "default interface member or static interface member",
            "compiles (RuntimeFeature claims it) but is untested upstream: CoreLibrary UnitTestInterfaceTests.cs DefaultInterfaceMembers_01_Test is commented out");

        // System.Math was moved out of mscorlib into the nanoFramework.System.Math package (nanoframework/
        // CoreLibrary PR #51 "Work extracting System.Math", 2018); mscorlib 1.17.11 keeps only an internal
        // MathInternal. The core must depend on nothing but mscorlib, so it writes its own min/max/abs.
        public static readonly NanoRule SystemMath = new NanoRule(
            "NF23", "System.Math / MathF",
            "System.Math lives in the separate nanoFramework.System.Math package (CoreLibrary PR #51); the core depends on mscorlib only");

        // Source: IoT.Device tips-trick.md ("supports a limited version of enum, so GetValues, IsDefined are not
        // available"); mscorlib 1.17.11's System.Enum has only HasFlag and ToString.
        public static readonly NanoRule EnumReflection = new NanoRule(
            "NF24", "Enum.GetValues/GetNames/IsDefined/Parse/...",
            "nanoFramework's System.Enum has only HasFlag and ToString (IoT.Device tips-trick.md; mscorlib 1.17.11)");

        // `^1` and `a..b` need System.Index/System.Range (absent from mscorlib 1.17.11); array slices lower to
        // RuntimeHelpers.GetSubArray<T> (generic).
        public static readonly NanoRule IndexOrRange = new NanoRule(
            "NF25", "index from end (^) or range (..)",
            "System.Index/System.Range absent from mscorlib 1.17.11; array slicing lowers to the generic RuntimeHelpers.GetSubArray<T>");

        public static IReadOnlyList<NanoRule> All { get; } = new[]
        {
            GenericDeclaration, GenericName, AsyncAwait, Linq, Lambda, Dynamic, Stackalloc, SpanOrMemory, Unsafe,
            Collections, MultidimensionalArray, NullableType, Tuple, Iterator, InterpolatedString, Record,
            InitAccessor, RefOrReadonlyStruct, RefReturnOrLocal, InParameter, ExceptionFilter,
            DefaultInterfaceMember, SystemMath, EnumReflection, IndexOrRange,
        };
    }
}
