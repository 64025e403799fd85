using System.Collections.Concurrent;
using System.Net.Sockets;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Innernet.Benchmarks.Live;

/// <summary>
/// <c>./build.sh bench live [clients]</c>: the server in this process (real Kestrel, the real store on a file, no
/// WireGuard: observed endpoints never change), <see cref="StreamClients"/> in a child process holding one stream
/// per client. Admin changes (add a peer every client sees, disable it, add and delete an association between two
/// teams) are made one at a time over HTTP; for each, the time from the admin call returning to each affected client
/// having received and parsed its update, and the server's CPU time from the call to the last receipt. Memory per
/// held connection: the server's GC heap and RSS growth while the clients connect, divided by their number.
/// </summary>
internal static class LiveBench
{
    private const int DefaultClients = 1000;
    private const int DefaultRounds = 5;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args)
    {
        int clients = args.FirstOrDefault(a => int.TryParse(a, CultureInfo.InvariantCulture, out _)) is { } n
            ? int.Parse(n, CultureInfo.InvariantCulture)
            : DefaultClients;
        int rounds = OptionalInt(args, "--rounds") ?? DefaultRounds;
        string? doc = OptionalString(args, "--doc");
        string load = File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}");

        string directory = Directory.CreateTempSubdirectory("inn-live-bench-").FullName;
        try
        {
            var network = LiveNetwork.Create(Path.Combine(directory, "live.db"), clients);
            using var store = ServerStore.Open(network.Database);
            var app = ServerApp.Build(new ServerAppOptions
            {
                Store = store,
                ServerPublicKey = network.ServerKey,
                ListenEndpoints = [new IPEndPoint(network.ServerIp, 0)],
            });
            await app.StartAsync();
            try
            {
                var endPoint = new IPEndPoint(network.ServerIp, Port(app));
                var result = await MeasureAsync(network, endPoint, directory, rounds);
                string report = Report.Format(result with { LoadBefore = load, LoadAfter = LoadNow() });
                Console.WriteLine(report);
                if (doc is not null)
                {
                    Report.WriteInto(doc, clients, report);
                }

                return result.Failures == 0 ? 0 : 1;
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<LiveResult> MeasureAsync(LiveNetwork network, IPEndPoint endPoint, string directory, int rounds)
    {
        string sources = Path.Combine(directory, "sources.txt");
        await File.WriteAllLinesAsync(sources, network.Clients.Select(a => a.ToString()));
        var (heapBefore, rssBefore) = Memory();

        using var child = StartClients(endPoint, network, sources);
        var receipts = new ConcurrentQueue<Receipt>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int failures = 0;
        int fulls = 0;
        var reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                var parts = line.Split(' ', 3);
                switch (parts[0])
                {
                    case "READY":
                        ready.TrySetResult();
                        break;
                    case "R":
                        var fields = line.Split(' ');
                        receipts.Enqueue(new Receipt(
                            int.Parse(fields[1], CultureInfo.InvariantCulture),
                            long.Parse(fields[2], CultureInfo.InvariantCulture),
                            int.Parse(fields[3], CultureInfo.InvariantCulture),
                            int.Parse(fields[4], CultureInfo.InvariantCulture)));
                        break;
                    case "F":
                        Interlocked.Increment(ref fulls);
                        break;
                    default:
                        Interlocked.Increment(ref failures);
                        await Console.Error.WriteLineAsync($"clients: {line}");
                        break;
                }
            }
        });

        var connectClock = Stopwatch.StartNew();
        await ready.Task.WaitAsync(ReadyTimeout);
        double connectSeconds = connectClock.Elapsed.TotalSeconds;
        var (heapAfter, rssAfter) = Memory();

        using var admin = AdminClient(endPoint, network);
        var samples = new Dictionary<string, ChangeSamples>();
        var teamPair = network.Clients.Select((_, i) => i).Where(i => LiveNetwork.TeamOf(i) < 2).ToHashSet();
        // Round 0 warms up (JIT, first use of every path) and is not counted.
        for (int round = 0; round <= rounds; round++)
        {
            bool counted = round > 0;
            Peer? added = null;
            await ChangeAsync("add peer (every client)", counted, network.Clients.Count, async () =>
            {
                var contents = LiveNetwork.NewPeer($"added-{round}", LiveNetwork.SharedPeerIp(round), network.SharedCidrId);
                var response = await admin.PostAsync("/v1/admin/peers", Json(contents));
                response.EnsureSuccessStatusCode();
                added = InnernetJson.Deserialize<Peer>(await response.Content.ReadAsStringAsync());
            }, r => r.Peers == 1 && r.Removed == 0);
            await ChangeAsync("disable peer (every client)", counted, network.Clients.Count, async () =>
                (await admin.DeleteAsync($"/v1/admin/peers/{added!.Id}")).EnsureSuccessStatusCode(),
                r => r.Peers == 0 && r.Removed == 1);
            if (network.TeamCidrIds.Count < 2)
            {
                continue;
            }

            await ChangeAsync("add association (two teams)", counted, teamPair.Count, async () =>
                (await admin.PostAsync(
                    "/v1/admin/associations",
                    Json(new AssociationContents(network.TeamCidrIds[0], network.TeamCidrIds[1])))).EnsureSuccessStatusCode(),
                r => r.Peers > 0 && r.Removed == 0);
            long association = network.TeamCidrIds.Count > 1 ? LastAssociation(await admin.GetStringAsync("/v1/admin/associations")) : 0;
            await ChangeAsync("delete association (two teams)", counted, teamPair.Count, async () =>
                (await admin.DeleteAsync($"/v1/admin/associations/{association}")).EnsureSuccessStatusCode(),
                r => r.Peers == 0 && r.Removed > 0);
        }

        await child.StandardInput.DisposeAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await reading;
        return new LiveResult(
            network.Clients.Count, rounds, connectSeconds, heapAfter - heapBefore, rssAfter - rssBefore, samples, failures, fulls, "", "");

        async Task ChangeAsync(string kind, bool counted, int expected, Func<Task> change, Func<Receipt, bool> valid)
        {
            receipts.Clear();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await change();
            long returned = Stopwatch.GetTimestamp();
            var clock = Stopwatch.StartNew();
            while (receipts.Count < expected && clock.Elapsed < ChangeTimeout && !child.HasExited)
            {
                await Task.Delay(1);
            }

            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            var got = receipts.ToArray();
            if (got.Length != expected || !got.All(valid))
            {
                Interlocked.Increment(ref failures);
                await Console.Error.WriteLineAsync($"{kind}: {got.Length} of {expected} receipts, {got.Count(r => !valid(r))} not as expected");
            }

            if (!counted)
            {
                return;
            }

            if (!samples.TryGetValue(kind, out var list))
            {
                samples[kind] = list = new ChangeSamples(expected);
            }

            list.LatenciesMs.AddRange(got.Select(r => Stopwatch.GetElapsedTime(returned, r.Timestamp).TotalMilliseconds));
            list.CpuMs.Add(cpuMs);
        }
    }

    private static Process StartClients(IPEndPoint endPoint, LiveNetwork network, string sources)
    {
        string self = typeof(LiveBench).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }

        foreach (string arg in new[] { "clients", "--server", endPoint.ToString(), "--key", network.ServerKey.ToBase64(), "--sources", sources })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Cannot start the client process.");
    }

    private static HttpClient AdminClient(IPEndPoint endPoint, LiveNetwork network)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(network.AdminIp, 0));
                    await socket.ConnectAsync(endPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"http://{endPoint}") };
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Innernet-Server-Key", network.ServerKey.ToBase64());
        return client;
    }

    private static ByteArrayContent Json<T>(T value)
    {
        var content = new ByteArrayContent(InnernetJson.SerializeToUtf8Bytes(value));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static long LastAssociation(string json) => InnernetJson.Deserialize<List<Association>>(json).Max(a => a.Id);

    private static (long Heap, long Rss) Memory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
    }

    private static int Port(WebApplication app)
        => new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

    private static string LoadNow() => File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}");

    private static int? OptionalInt(string[] args, string name)
        => OptionalString(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static string? OptionalString(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private sealed record Receipt(int Client, long Timestamp, int Peers, int Removed);
}

/// <summary>The samples of one kind of change over every round.</summary>
internal sealed class ChangeSamples(int recipients)
{
    public int Recipients { get; } = recipients;

    public List<double> LatenciesMs { get; } = [];

    public List<double> CpuMs { get; } = [];
}

/// <summary>One run of <see cref="LiveBench"/>.</summary>
internal sealed record LiveResult(
    int Clients,
    int Rounds,
    double ConnectSeconds,
    long HeapGrowth,
    long RssGrowth,
    IReadOnlyDictionary<string, ChangeSamples> Changes,
    int Failures,
    int UnexpectedFulls,
    string LoadBefore,
    string LoadAfter);
