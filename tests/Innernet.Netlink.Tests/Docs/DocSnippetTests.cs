using System.Text.RegularExpressions;
using Innernet.Netlink.WireGuard;
using Innernet.Testing.Networks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Innernet.Netlink.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of the library's documentation compiles against the library as it is now (Roslyn, as
/// top-level statements), so an example cannot drift from the API it shows. A snippet may take the names in
/// <see cref="Given"/> as declared; nothing else is added.
/// </summary>
public sealed partial class DocSnippetTests
{
    /// <summary>What the examples leave to the reader: an SDK project's implicit usings, the library's namespaces and the
    /// two key strings they parse.</summary>
    private const string Given = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using System.Net;
        using Innernet.Netlink;
        using Innernet.Netlink.Route;
        using Innernet.Netlink.WireGuard;
        string privateKeyBase64 = "", peerKey = "";
        _ = privateKeyBase64 + peerKey;

        """;

    public static TheoryData<string> Documents => ["docs/netlink-library.md", "src/Innernet.Netlink/README.md", "README.md"];

    [Theory]
    [MemberData(nameof(Documents))]
    public void CSharpBlocks_CompileAgainstTheLibrary(string document)
    {
        string root = InnernetBinaries.RepositoryRoot() ?? throw new InvalidOperationException("no Innernet.sln above the test assembly");
        string text = File.ReadAllText(Path.Combine(root, document));
        var blocks = CSharpBlock().Matches(text).Select(m => m.Groups["code"].Value).ToList();

        Assert.NotEmpty(blocks);
        Assert.All(blocks, block => Assert.Equal("", Errors(block)));
    }

    [Fact]
    public void Errors_SnippetUsingAMissingMember_IsReported() =>
        Assert.Contains("CS0117", Errors("WireGuardClient.OpenAll();"), StringComparison.Ordinal);

    /// <summary>The compiler's errors for one snippet, one per line (empty when it compiles).</summary>
    private static string Errors(string snippet)
    {
        var tree = CSharpSyntaxTree.ParseText(Given + snippet, new CSharpParseOptions(LanguageVersion.Latest));
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Append(typeof(WireGuardClient).Assembly.Location).Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        return string.Join('\n', result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
    }

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
