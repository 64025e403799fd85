using System.Text;

namespace Innernet.Testing.Fuzzing;

/// <summary>
/// A small deterministic mutation fuzzer: every input is a valid seed with one to eight stacked
/// mutations (bit flips, byte insert/delete, splices with another seed, dictionary tokens, truncation,
/// huge numbers, deep nesting, long lines, repeated or dropped lines). Input <c>i</c> of a campaign
/// depends only on (campaign seed, i), so a single failing input is rebuilt from those two numbers.
/// </summary>
public sealed class MutationEngine
{
    /// <summary>Mutated inputs never grow beyond this (the parsers' real inputs are far smaller).</summary>
    public const int MaxInputLength = 256 * 1024;

    private static readonly byte[][] InterestingBytes =
        [[0], [0xff], [0x7f], [0x80], [(byte)'\n'], [(byte)'\r'], [(byte)'\t'], [(byte)' '], [(byte)'"'],
         [(byte)'\\'], [(byte)'='], [(byte)'['], [(byte)']'], [(byte)'{'], [(byte)'}'], [(byte)','], [(byte)':'],
         [(byte)'.'], [(byte)'/'], [(byte)'%'], [(byte)'#'], [0xc3], [0xe2, 0x80, 0xae], [0xf0, 0x9f, 0x92, 0xa9],
         [0xef, 0xbb, 0xbf], [0xed, 0xa0, 0x80]];

    private static readonly string[] HugeNumbers =
        ["0", "-0", "-1", "255", "256", "65535", "65536", "2147483647", "2147483648", "-2147483649", "4294967295",
         "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551615",
         "18446744073709551616", "99999999999999999999999999999999999999", "1e309", "-1e309", "1.5", "0x10", "0o7",
         "0b1", "+1", "00", "1_000", "253402300800", "253402300799", "999999999", "1000000000", "nan", "inf"];

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly IReadOnlyList<byte[]> _tokens;
    private readonly int _campaignSeed;

    /// <param name="campaignSeed">The seed printed with every failure.</param>
    /// <param name="seeds">Valid inputs to start from (at least one).</param>
    /// <param name="dictionary">Tokens of the input language (keywords, delimiters).</param>
    public MutationEngine(int campaignSeed, IReadOnlyList<byte[]> seeds, IEnumerable<string> dictionary)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(dictionary);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("A mutation campaign needs at least one seed input.", nameof(seeds));
        }

        _campaignSeed = campaignSeed;
        _seeds = seeds;
        _tokens = [.. dictionary.Select(Encoding.UTF8.GetBytes), .. InterestingBytes];
    }

    /// <summary>Input number <paramref name="index"/> of this campaign (pure: the same every time).</summary>
    public byte[] Input(long index)
    {
        var random = new Random(HashCode.Combine(_campaignSeed, index));

        // Every 64th input is an unmutated seed: the valid path stays covered and checked.
        var data = new List<byte>(_seeds[random.Next(_seeds.Count)]);
        if (index % 64 == 0)
        {
            return [.. data];
        }

        int rounds = 1 << random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            Mutate(random, data);
            if (data.Count > MaxInputLength)
            {
                data.RemoveRange(MaxInputLength, data.Count - MaxInputLength);
            }
        }

        return [.. data];
    }

    private void Mutate(Random random, List<byte> data)
    {
        int at = random.Next(data.Count + 1);
        switch (random.Next(16))
        {
            case 0 when data.Count > 0: // flip one bit
                at = random.Next(data.Count);
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0: // random byte
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 2: // insert random bytes
                data.InsertRange(at, RandomBytes(random, random.Next(1, 9)));
                break;
            case 3 when data.Count > 0: // delete a range
                at = random.Next(data.Count);
                data.RemoveRange(at, random.Next(1, Math.Min(data.Count - at, 32) + 1));
                break;
            case 4: // truncate
                data.RemoveRange(at, data.Count - at);
                break;
            case 5: // splice: this input's head with another seed's tail
                var other = _seeds[random.Next(_seeds.Count)];
                int from = random.Next(other.Length + 1);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            case 6: // insert a dictionary token
            case 7:
                data.InsertRange(at, _tokens[random.Next(_tokens.Count)]);
                break;
            case 8 when data.Count > 0: // overwrite with a dictionary token
                var token = _tokens[random.Next(_tokens.Count)];
                at = random.Next(data.Count);
                data.RemoveRange(at, Math.Min(token.Length, data.Count - at));
                data.InsertRange(at, token);
                break;
            case 9: // a number replaced by (or a new) edge-case number
                ReplaceNumber(random, data);
                break;
            case 10: // deep nesting (mostly just past common depth limits, sometimes far beyond)
                string open = random.Next(4) switch { 0 => "[", 1 => "{\"a\":", 2 => "a.", _ => "[{" };
                data.InsertRange(at, Repeat(open, random.Next(32) == 0 ? random.Next(1_000, 50_000) : random.Next(60, 300)));
                break;
            case 11: // a long line
                int length = random.Next(32) == 0 ? random.Next(10_000, 200_000) : random.Next(100, 2_000);
                data.InsertRange(at, Repeat(random.Next(2) == 0 ? "A" : "9", length));
                break;
            case 12: // repeat a chunk
                if (data.Count > 0)
                {
                    at = random.Next(data.Count);
                    var chunk = data.GetRange(at, random.Next(1, Math.Min(data.Count - at, 64) + 1));
                    int times = random.Next(2, 200);
                    var repeated = new byte[chunk.Count * times];
                    for (int i = 0; i < times; i++)
                    {
                        chunk.CopyTo(repeated, i * chunk.Count);
                    }

                    data.InsertRange(at, repeated);
                }

                break;
            default: // drop, duplicate or swap whole lines
                MutateLines(random, data);
                break;
        }
    }

    private static void ReplaceNumber(Random random, List<byte> data)
    {
        byte[] number = Encoding.ASCII.GetBytes(HugeNumbers[random.Next(HugeNumbers.Length)]);
        var digitRuns = new List<(int Start, int Length)>();
        for (int i = 0; i < data.Count;)
        {
            if (!char.IsAsciiDigit((char)data[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < data.Count && char.IsAsciiDigit((char)data[i]))
            {
                i++;
            }

            digitRuns.Add((start, i - start));
        }

        if (digitRuns.Count == 0)
        {
            data.InsertRange(random.Next(data.Count + 1), number);
            return;
        }

        var (runStart, runLength) = digitRuns[random.Next(digitRuns.Count)];
        data.RemoveRange(runStart, runLength);
        data.InsertRange(runStart, number);
    }

    private static void MutateLines(Random random, List<byte> data)
    {
        var lines = new List<List<byte>>();
        var current = new List<byte>();
        foreach (byte b in data)
        {
            current.Add(b);
            if (b == '\n')
            {
                lines.Add(current);
                current = [];
            }
        }

        if (current.Count > 0)
        {
            lines.Add(current);
        }

        if (lines.Count == 0)
        {
            return;
        }

        int a = random.Next(lines.Count), b2 = random.Next(lines.Count);
        switch (random.Next(3))
        {
            case 0:
                lines.RemoveAt(a);
                break;
            case 1:
                lines.Insert(b2, [.. lines[a]]);
                break;
            default:
                (lines[a], lines[b2]) = (lines[b2], lines[a]);
                break;
        }

        data.Clear();
        foreach (var line in lines)
        {
            data.AddRange(line);
        }
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Repeat(string text, int times)
    {
        byte[] unit = Encoding.ASCII.GetBytes(text);
        byte[] bytes = new byte[unit.Length * times];
        for (int i = 0; i < times; i++)
        {
            unit.CopyTo(bytes, i * unit.Length);
        }

        return bytes;
    }
}
