using System.Globalization;
using System.Threading;

namespace Innernet.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster from Debian's <c>postgresql</c> package (<c>./build.sh setup</c> installs it):
/// <c>initdb</c> and <c>pg_ctl</c> run as the <c>postgres</c> user in a private temporary directory, reachable only
/// through a Unix socket there (<c>listen_addresses = ''</c>: no TCP port), trust authentication for local connections
/// (the directory is 0700, so only root and postgres reach the socket), <c>fsync</c> on. Stopped and deleted on dispose.
/// Use as an xunit class fixture; <see cref="Require"/> in each test skips (or, under CI=true, fails) without root or
/// without PostgreSQL.
/// </summary>
public sealed class PostgreSqlCluster : IDisposable
{
    private const string ServiceUser = "postgres";
    private static int _schemas;
    private readonly string? _directory;
    private readonly string? _bin;
    private readonly string? _options;

    public PostgreSqlCluster()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Unavailable = "needs root (initdb and pg_ctl run as the postgres user)";
            return;
        }

        _bin = FindBinDirectory();
        if (_bin is null)
        {
            Unavailable = "needs PostgreSQL (Debian's postgresql package: ./build.sh setup installs it)";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("inn-pg-").FullName;
        try
        {
            Run("/usr/bin/chown", [ServiceUser, _directory]);
            AsPostgres("initdb", "-D", DataDirectory, "-U", ServiceUser, "--auth-local=trust", "--auth-host=reject", "-E", "UTF8",
                "--locale=C", "--no-instructions");
            _options = string.Create(CultureInfo.InvariantCulture,
                $"-c listen_addresses='' -c unix_socket_directories='{_directory}' -c fsync=on -c synchronous_commit=on");
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Why the cluster could not start (null: it runs).</summary>
    public string? Unavailable { get; }

    /// <summary>The directory holding the server's Unix socket (the connection's host).</summary>
    public string SocketDirectory => _directory ?? throw new InvalidOperationException(Unavailable);

    private string DataDirectory => Path.Combine(SocketDirectory, "data");

    /// <summary>Skips the test (fails it under CI=true) when the cluster could not start.</summary>
    public void Require() => Prerequisites.Require(Unavailable is null, Unavailable ?? string.Empty);

    /// <summary>A new, empty schema: each test's store gets its own (a network per schema, as per database).</summary>
    /// <returns>An Npgsql connection string for the superuser over the socket, with the schema as its search path.</returns>
    public string NewSchema()
    {
        string schema = string.Create(CultureInfo.InvariantCulture, $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _schemas)}");
        Sql($"CREATE SCHEMA {schema}");
        return $"Host={SocketDirectory};Username={ServiceUser};Database=postgres;Search Path={schema}";
    }

    /// <summary>Starts the server again after <see cref="Stop"/> (waits until it accepts connections).</summary>
    public void Start()
        => AsPostgres("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(SocketDirectory, "server.log"), "-w", "-t", "60", "-o", _options!,
            "start");

    /// <summary>
    /// Stops the server (fast shutdown: every session is ended, as when PostgreSQL restarts or its host goes away; waits until
    /// it is down). Its socket disappears, so clients fail to connect until <see cref="Start"/>.
    /// </summary>
    public void Stop() => AsPostgres("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop");

    /// <summary>Runs SQL through psql as the superuser; its output (unaligned, tuples only).</summary>
    public string Sql(string sql, string database = "postgres")
        => Run(Path.Combine(_bin!, "psql"), ["-h", SocketDirectory, "-U", ServiceUser, "-d", database, "-X", "-q", "-A", "-t",
            "-v", "ON_ERROR_STOP=1", "-c", sql]).StandardOutput;

    public void Dispose()
    {
        if (_directory is null)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                AsPostgres("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        return Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    private void AsPostgres(string program, params string[] arguments)
        => Run("/usr/sbin/runuser", ["-u", ServiceUser, "--", Path.Combine(_bin!, program), .. arguments]);

    private static ProcessResult Run(string program, IEnumerable<string> arguments)
    {
        var result = ProcessRunner.Run(program, arguments, TimeSpan.FromSeconds(90));
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException(
                $"'{result.CommandLine}' failed ({result.ExitCode}): {result.StandardError}{result.StandardOutput}");
    }
}
