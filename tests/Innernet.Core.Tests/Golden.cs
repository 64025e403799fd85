namespace Innernet.Core.Tests;

/// <summary>Access to the hand-written golden files under Golden/ (copied next to the test assembly).</summary>
internal static class Golden
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Golden", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
