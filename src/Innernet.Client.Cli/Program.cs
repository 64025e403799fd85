namespace Innernet.Client;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("inn: not implemented yet (issue 5)");
        return args.Length == 0 ? 1 : 1;
    }
}
