namespace Innernet.Server;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("innernet-server: not implemented yet (issue 4)");
        return args.Length == 0 ? 1 : 1;
    }
}
