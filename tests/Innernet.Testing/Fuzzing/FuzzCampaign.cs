using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Innernet.Testing.Fuzzing;

/// <summary>What a campaign did: counts, time, and the first finding (null when the contract held).</summary>
public sealed record FuzzReport(string Target, int Seed, long Inputs, long Accepted, long Rejected, TimeSpan Elapsed, FuzzFinding? Finding)
{
    public double InputsPerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target}: {Inputs} inputs ({Accepted} accepted, {Rejected} rejected with the documented exception) in " +
        $"{Elapsed.TotalSeconds:F1} s, {InputsPerSecond:F0} inputs/s, seed {Seed}");
}

/// <summary>An input that broke the contract: another exception, a broken property, or no answer in time.</summary>
public sealed record FuzzFinding(string Target, int Seed, long Index, byte[] Input, string Problem, string? SavedTo)
{
    private const int HexShown = 2048;

    /// <summary>Everything needed to reproduce: seed and index, the problem, where the input was saved, its hex.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"fuzz target '{Target}', seed {Seed}, input #{Index} ({Input.Length} bytes): {Problem}\n");
        if (SavedTo is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"input saved to {SavedTo}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"reproduce: FUZZ_SEED={Seed} (input #{Index}), or replay the saved file\n");
        text.Append("hex: ").Append(Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, HexShown))));
        if (Input.Length > HexShown)
        {
            text.Append(CultureInfo.InvariantCulture, $"… ({Input.Length - HexShown} more bytes in the saved file)");
        }

        return text.ToString();
    }
}

/// <summary>
/// Runs a target on a worker thread (default 1.5 MiB stack, like a thread-pool thread) over the inputs of a
/// <see cref="MutationEngine"/>, stopping at the first finding. A watchdog on the calling thread reports an
/// input that runs longer than the per-input bound as a hang (the worker is abandoned; it is a background
/// thread).
/// </summary>
public static class FuzzCampaign
{
    /// <summary>Where inputs of findings are written; <c>FUZZ_FINDINGS_DIR</c> overrides it.</summary>
    public static string FindingsDirectory =>
        Environment.GetEnvironmentVariable("FUZZ_FINDINGS_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "fuzz-findings");

    /// <summary>Runs <paramref name="count"/> inputs of campaign <paramref name="seed"/>.</summary>
    /// <param name="findingsDirectory">Where to save a finding's input; <see cref="FindingsDirectory"/> by default.</param>
    public static FuzzReport Run(FuzzTarget target, int seed, long count, TimeSpan perInputBound, string? findingsDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var engine = new MutationEngine(seed, target.Seeds(), target.Dictionary);
        return Run(target, seed, count, perInputBound, engine.Input, findingsDirectory ?? FindingsDirectory);
    }

    /// <summary>Runs the given inputs (e.g. a folder of regression fixtures) with the same checks.</summary>
    public static FuzzReport Replay(FuzzTarget target, IReadOnlyList<byte[]> inputs, TimeSpan perInputBound)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(inputs);
        return Run(target, 0, inputs.Count, perInputBound, i => inputs[(int)i], FindingsDirectory);
    }

    /// <summary>Runs one input and classifies the outcome: null when accepted or rejected as documented.</summary>
    public static string? Check(FuzzTarget target, byte[] input, out bool accepted)
    {
        ArgumentNullException.ThrowIfNull(target);
        accepted = false;
        try
        {
            target.Run(input);
            accepted = true;
            return null;
        }
        catch (Exception e) when (e is not FuzzPropertyException && target.IsDocumented(e))
        {
            return null;
        }
        catch (Exception e)
        {
            return e.ToString();
        }
    }

    private static FuzzReport Run(
        FuzzTarget target, int seed, long count, TimeSpan perInputBound, Func<long, byte[]> inputAt, string findingsDirectory)
    {
        long index = -1, accepted = 0, rejected = 0;
        long startedAt = 0;
        byte[] current = [];
        FuzzFinding? finding = null;
        var clock = Stopwatch.StartNew();

        var worker = new Thread(() =>
        {
            for (long i = 0; i < count; i++)
            {
                byte[] input = inputAt(i);
                Volatile.Write(ref current, input);
                Volatile.Write(ref startedAt, Stopwatch.GetTimestamp());
                Volatile.Write(ref index, i);
                string? problem = Check(target, input, out bool ok);
                Volatile.Write(ref startedAt, 0);
                if (problem is not null)
                {
                    finding = Found(target, seed, i, input, problem, findingsDirectory);
                    return;
                }

                if (ok)
                {
                    accepted++;
                }
                else
                {
                    rejected++;
                }
            }
        })
        {
            IsBackground = true,
            Name = $"fuzz {target.Name}",
        };
        worker.Start();

        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            long started = Volatile.Read(ref startedAt);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > perInputBound)
            {
                long hungAt = Volatile.Read(ref index);
                byte[] input = Volatile.Read(ref current);
                string problem = string.Create(CultureInfo.InvariantCulture, $"no answer within {perInputBound.TotalSeconds:F1} s (hang)");
                return new FuzzReport(target.Name, seed, hungAt + 1, accepted, rejected, clock.Elapsed,
                    Found(target, seed, hungAt, input, problem, findingsDirectory));
            }
        }

        return new FuzzReport(target.Name, seed, finding is null ? count : finding.Index + 1, accepted, rejected, clock.Elapsed, finding);
    }

    private static FuzzFinding Found(FuzzTarget target, int seed, long index, byte[] input, string problem, string directory)
    {
        string? saved = null;
        try
        {
            Directory.CreateDirectory(directory);
            saved = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{target.Name}-seed{seed}-{index}.bin"));
            File.WriteAllBytes(saved, input);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            saved = null;
        }

        return new FuzzFinding(target.Name, seed, index, input, problem, saved);
    }
}
