using System.Text.Json;
using Innernet.Core.Contracts;
using Innernet.Core.IO;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.IO;

public class ChunkedBufferWriterTests
{
    [Fact]
    public void RandomWrites_ComeOutInOrder_AsOneArrayOfTheirLength()
    {
        var random = new Random(20261208);
        for (int run = 0; run < 50; run++)
        {
            var writer = new ChunkedBufferWriter();
            var expected = new List<byte>();
            int writes = random.Next(0, 400);
            for (int i = 0; i < writes; i++)
            {
                int hint = random.Next(4) switch
                {
                    0 => 0,
                    1 => random.Next(1, 64),
                    2 => random.Next(1, ChunkedBufferWriter.MaxChunk),
                    _ => random.Next(ChunkedBufferWriter.MaxChunk, 3 * ChunkedBufferWriter.MaxChunk),
                };
                var span = random.Next(2) == 0 ? writer.GetSpan(hint) : writer.GetMemory(hint).Span;
                Assert.True(span.Length >= Math.Max(hint, 1), $"asked for {hint} bytes, got {span.Length}");
                int count = random.Next(0, Math.Min(span.Length, Math.Max(hint, 1) * 2) + 1);
                for (int b = 0; b < count; b++)
                {
                    span[b] = (byte)random.Next(256);
                    expected.Add(span[b]);
                }

                writer.Advance(count);
            }

            Assert.Equal(expected.Count, writer.WrittenCount);
            Assert.Equal(expected.ToArray(), writer.ToArray());
        }
    }

    [Fact]
    public void Chunks_StayBelowTheLargeObjectHeap_UnlessOneWriteNeedsMore()
    {
        var writer = new ChunkedBufferWriter();
        for (int i = 0; i < 100; i++)
        {
            var span = writer.GetSpan(1000);
            Assert.InRange(span.Length, 1000, ChunkedBufferWriter.MaxChunk);
            writer.Advance(1000);
        }

        Assert.True(ChunkedBufferWriter.MaxChunk < 85_000);
        Assert.True(writer.GetSpan(200_000).Length >= 200_000);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ChunkedBufferWriter.FirstChunk + 1)]
    public void Advance_BeyondTheRoomHandedOut_Throws(int count)
    {
        var writer = new ChunkedBufferWriter();
        _ = writer.GetSpan();
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(count));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void GetSpan_NegativeHint_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedBufferWriter().GetSpan(-1));
    }

    [Fact]
    public void Empty_GivesAnEmptyArray() => Assert.Empty(new ChunkedBufferWriter().ToArray());

    /// <summary>A state of megabytes crosses many chunks: the bytes are the serializer's own, unchanged.</summary>
    [Fact]
    public void InnernetJson_LargeState_SameBytesAsTheSerializersOwnArray()
    {
        var peers = Enumerable.Range(1, 5000)
            .Select(i => Fixtures.MakePeer(i, $"peer-{i}", $"10.42.{i / 250}.{(i % 250) + 1}", 3))
            .ToList();
        var state = new State(peers, Fixtures.Cidrs);

        byte[] bytes = InnernetJson.SerializeToUtf8Bytes(state);

        Assert.True(bytes.Length > 10 * ChunkedBufferWriter.MaxChunk, $"only {bytes.Length} bytes");
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(state, InnernetJson.TypeInfo<State>()), bytes);
    }
}
