using System.Globalization;
using Innernet.Fuzz;
using Innernet.Testing.Fuzzing;

// Innernet.Fuzz list | dict TARGET | seeds TARGET DIR | afl TARGET | mutate TARGET COUNT [SEED] | replay TARGET FILE...
// "afl" is what ./build.sh fuzz runs under afl-fuzz on SharpFuzz-instrumented assemblies: one input on stdin
// per fork-server round; a documented exception is an ordinary rejection, anything else crashes the process
// (AFL's finding).
return args switch
{
    ["list"] => List(),
    ["dict", string name] => Dictionary(name),
    ["seeds", string name, string dir] => WriteSeeds(name, dir),
    ["afl", string name] => Afl(name),
    ["mutate", string name, string count, ..] => Mutate(name, long.Parse(count, CultureInfo.InvariantCulture),
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1),
    ["replay", string name, .. var files] => Replay(name, files),
    _ => Usage(),
};

static int List()
{
    foreach (var target in FuzzTargets.Create())
    {
        Console.WriteLine($"{target.Name,-16} {target.Description}");
    }

    return 0;
}

// The target's dictionary in AFL's format (name="value", bytes as \xNN escapes).
static int Dictionary(string name)
{
    int n = 0;
    foreach (string token in Target(name).Dictionary)
    {
        var escaped = new System.Text.StringBuilder();
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(token))
        {
            escaped.Append(b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        Console.WriteLine($"t{n++}=\"{escaped}\"");
    }

    return 0;
}

// The target's seeds as files (AFL's input folder), named by index.
static int WriteSeeds(string name, string dir)
{
    Directory.CreateDirectory(dir);
    var seeds = Target(name).Seeds();
    for (int i = 0; i < seeds.Count; i++)
    {
        File.WriteAllBytes(Path.Combine(dir, $"seed-{i:d3}"), seeds[i]);
    }

    return 0;
}

static FuzzTarget Target(string name)
    => FuzzTargets.Find(name) ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", FuzzTargets.Names)}");

static int Afl(string name)
{
    var target = Target(name);
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        string? problem = FuzzCampaign.Check(target, buffer.ToArray(), out _);
        if (problem is not null)
        {
            // Not caught by SharpFuzz as an ordinary exception would be: AFL records the input as a crash.
            Console.Error.WriteLine(problem);
            Environment.FailFast($"fuzz target {name}: contract broken");
        }
    });
    return 0;
}

static int Mutate(string name, long count, int seed)
{
    var report = FuzzCampaign.Run(Target(name), seed, count, TimeSpan.FromSeconds(10));
    Console.WriteLine(report);
    if (report.Finding is { } finding)
    {
        Console.Error.WriteLine(finding);
        return 1;
    }

    return 0;
}

static int Replay(string name, string[] files)
{
    var report = FuzzCampaign.Replay(Target(name), [.. files.Select(File.ReadAllBytes)], TimeSpan.FromSeconds(10));
    Console.WriteLine(report);
    if (report.Finding is { } finding)
    {
        Console.Error.WriteLine(finding);
        return 1;
    }

    return 0;
}

static int Usage()
{
    Console.Error.WriteLine(
        "usage: Innernet.Fuzz list | dict TARGET | seeds TARGET DIR | afl TARGET | mutate TARGET COUNT [SEED] | replay TARGET FILE...");
    return 2;
}
