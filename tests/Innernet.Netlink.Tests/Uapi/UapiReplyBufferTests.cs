using System.Buffers;
using System.Text;
using Innernet.Netlink;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>
/// The end of a UAPI reply (just past its blank line) found however the bytes arrive: in one piece, split at every
/// offset, or in many random pieces. The expected end is read off the whole text: the first "\n\n", or a reply that
/// is only its blank line.
/// </summary>
public class UapiReplyBufferTests
{
    public static TheoryData<string> Replies() =>
    [
        "\n",
        "errno=0\n\n",
        "listen_port=51820\nfwmark=0\nerrno=0\n\n",
        "private_key=" + new string('a', 64) + "\npublic_key=" + new string('b', 64) + "\nallowed_ip=10.0.0.1/32\nerrno=0\n\n",
    ];

    [Theory]
    [MemberData(nameof(Replies))]
    public void EverySplit_CompletesExactlyAtTheBlankLine(string reply)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(reply);
        for (int split = 1; split < bytes.Length; split++)
        {
            var buffer = new UapiConnection.ReplyBuffer("test.sock", 1 << 20);
            Assert.False(Feed(buffer, bytes.AsSpan(0, split)), $"complete after {split} of {bytes.Length} bytes");
            Assert.True(Feed(buffer, bytes.AsSpan(split)), $"not complete with the split at {split}");
            Assert.Equal(bytes, buffer.ToSequence().ToArray());
        }
    }

    [Fact]
    public void RandomPieces_CompleteOnlyWithTheLastByte()
    {
        var random = new Random(20261208);
        for (int run = 0; run < 500; run++)
        {
            byte[] bytes = RandomReply(random);
            var buffer = new UapiConnection.ReplyBuffer("test.sock", 1 << 20);
            int offset = 0;
            while (offset < bytes.Length)
            {
                int piece = Math.Min(bytes.Length - offset, 1 + random.Next(random.Next(2) == 0 ? 3 : 200));
                bool complete = Feed(buffer, bytes.AsSpan(offset, piece));
                offset += piece;
                Assert.Equal(offset == bytes.Length, complete);
            }
        }
    }

    /// <summary>The piece that holds the blank line also holds more: whichever way the end was found, it is refused.</summary>
    [Theory]
    [InlineData("errno=0\n\nx", 0)]
    [InlineData("errno=0\n\nx", 5)]
    [InlineData("errno=0\n\nx", 8)]
    [InlineData("\nx", 0)]
    public void BytesAfterTheBlankLine_AreRejected(string reply, int split)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(reply);
        var buffer = new UapiConnection.ReplyBuffer("test.sock", 1 << 20);
        Assert.False(Feed(buffer, bytes.AsSpan(0, split)));
        var e = Assert.Throws<WireGuardUapiException>(() => Feed(buffer, bytes.AsSpan(split)));
        Assert.Equal(Errno.EPROTO, e.Errno);
        Assert.Contains("unexpected bytes after the end", e.Message);
    }

    /// <summary>Lines of "key=value" with no empty line among them, then the blank line.</summary>
    private static byte[] RandomReply(Random random)
    {
        var text = new StringBuilder();
        int lines = random.Next(0, 40);
        for (int i = 0; i < lines; i++)
        {
            text.Append('k').Append(i).Append('=').Append(new string('v', random.Next(0, 90))).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.Append('\n').ToString());
    }

    /// <summary>Copies <paramref name="bytes"/> in as received pieces of at most one receive each.</summary>
    private static bool Feed(UapiConnection.ReplyBuffer buffer, ReadOnlySpan<byte> bytes)
    {
        bool complete = false;
        while (!bytes.IsEmpty)
        {
            Assert.False(complete, "bytes were fed after the reply was complete");
            var room = buffer.NextChunk();
            int n = Math.Min(room.Count, bytes.Length);
            bytes[..n].CopyTo(room.AsSpan());
            complete = buffer.Add(n);
            bytes = bytes[n..];
        }

        return complete;
    }
}
