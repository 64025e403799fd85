using System.Buffers.Binary;
using Innernet.Netlink;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Tests.Support;

namespace Innernet.Netlink.Tests.Protocol;

public class NetlinkReaderTests
{
    [Fact]
    public void AttributeReader_MasksFlagsAndSkipsPadding()
    {
        byte[] bytes = Hex.Parse("0500 0340 20 000000 [u8 type 3|NET_BYTEORDER] 0c00 0880 [nest 8] 0800 0000 01000000 [type 0 pad-attr]");
        var types = new List<(ushort Type, bool Nested, int Length)>();
        foreach (var a in new AttributeReader(bytes))
        {
            types.Add((a.Type, a.IsNested, a.Payload.Length));
        }

        Assert.Equal([(3, false, 1), (8, true, 8)], types);
        var nested = new AttributeReader(bytes.AsSpan(8 + 4, 8));
        Assert.True(nested.MoveNext());
        Assert.Equal(0, nested.Current.Type);
        Assert.Equal(1u, nested.Current.GetU32());
    }

    [Theory]
    [InlineData("0300 0100 [nla_len 3 < 4]")]
    [InlineData("0900 0100 00000000 [nla_len 9 > 8 left]")]
    [InlineData("0800 0100 00000000 0100 [2 trailing bytes]")]
    [InlineData("ffff 0100 [nla_len 65535 > 4 left]")]
    public void AttributeReader_MalformedLength_ThrowsProtocolException(string hex)
    {
        byte[] bytes = Hex.Parse(hex);
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            foreach (var a in new AttributeReader(bytes))
            {
                _ = a.Payload.Length;
            }
        });
    }

    [Theory]
    [InlineData("0f000000 0300 0000 01000000 00000000 [nlmsg_len 15 < 16]")]
    [InlineData("20000000 0300 0000 01000000 00000000 [nlmsg_len 32 > 16 left]")]
    [InlineData("10000000 0300 0000 01000000 00000000 0a000000 [4 trailing bytes]")]
    [InlineData("100000 [3 bytes]")]
    public void MessageReader_MalformedLength_ThrowsProtocolException(string hex)
    {
        byte[] bytes = Hex.Parse(hex);
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            foreach (var m in new NetlinkMessageReader(bytes))
            {
                _ = m.Payload.Length;
            }
        });
    }

    [Fact]
    public void MessageReader_TwoMessagesInOneDatagram_AdvancesByAlignedLength()
    {
        byte[] bytes = Hex.Parse(
            "15000000 1000 0200 01000000 00000000 aabbccdd ee 000000 [len 21, padded to 24]"
            + " 10000000 0300 0200 01000000 00000000 [DONE]");
        var types = new List<(ushort, int)>();
        foreach (var m in new NetlinkMessageReader(bytes))
        {
            types.Add((m.Header.Type, m.Payload.Length));
        }

        Assert.Equal([(16, 5), (3, 0)], types);
    }

    [Theory]
    [InlineData("0500 0100 01 000000", 2)]
    [InlineData("0600 0100 0100 0000", 4)]
    [InlineData("0800 0100 01000000", 8)]
    public void TypedGetter_WrongLength_ThrowsProtocolException(string hex, int expectedWidth)
    {
        byte[] bytes = Hex.Parse(hex);
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            var r = new AttributeReader(bytes);
            r.MoveNext();
            _ = expectedWidth switch
            {
                2 => r.Current.GetU16(),
                4 => r.Current.GetU32(),
                _ => r.Current.GetU64(),
            };
        });
    }

    /// <summary>
    /// Every input is accepted exactly when the framing rules below say it is well formed, and every other one is
    /// refused with <see cref="NetlinkProtocolException"/> and a message (any other exception fails the test).
    /// </summary>
    [Fact]
    public void RandomAndTruncatedInput_IsRefusedWithProtocolException_ExactlyWhenMalformed()
    {
        var random = new Random(20250101);
        byte[] valid = Hex.Parse(
            "3c000000 1b00 0200 01000000 00000000 00010000"
            + " 0800 0200 77673000 2000 0880 1c00 0080 0600 0100 0200 0000 0800 0200 0a000002 0500 0300 20000000");
        int accepted = 0, refused = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = valid[..random.Next(valid.Length + 1)];
            }
            else
            {
                input = (byte[])valid.Clone();
                for (int k = random.Next(1, 6); k > 0; k--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                if (i % 3 == 0)
                {
                    input = new byte[random.Next(64)];
                    random.NextBytes(input);
                }
            }

            NetlinkProtocolException? refusal = null;
            try
            {
                WalkEverything(input);
                accepted++;
            }
            catch (NetlinkProtocolException e)
            {
                refusal = e;
                refused++;
            }

            bool wellFormed = IsWellFormed(input);
            Assert.True(
                wellFormed == (refusal is null),
                $"input {i} ({Convert.ToHexString(input)}) is {(wellFormed ? "" : "not ")}well formed, yet "
                + (refusal is null ? "was accepted" : $"was refused: {refusal.Message}"));
            if (refusal is not null)
            {
                Assert.False(string.IsNullOrWhiteSpace(refusal.Message), $"input {i} was refused without a message");
            }
        }

        // The seeded inputs exercise both sides.
        Assert.True(accepted > 0 && refused > 0, $"{accepted} accepted, {refused} refused");
    }

    /// <summary>
    /// The netlink framing rules, written out independently of the readers: messages of nlmsg_len in
    /// [16, bytes left] at 4-byte aligned offsets, each holding a 4-byte genl header and then attributes of nla_len
    /// in [4, bytes left], also aligned; nested attributes (NLA_F_NESTED) hold attributes in turn, checked as deep
    /// as <see cref="WalkEverything"/> goes.
    /// </summary>
    private static bool IsWellFormed(ReadOnlySpan<byte> datagram)
    {
        while (!datagram.IsEmpty)
        {
            if (datagram.Length < 16)
            {
                return false;
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < 16 || length > datagram.Length)
            {
                return false;
            }

            var payload = datagram[16..(int)length];
            if (payload.Length < 4 || !AttributesWellFormed(payload[4..], 0))
            {
                return false;
            }

            datagram = datagram[Math.Min(((int)length + 3) & ~3, datagram.Length)..];
        }

        return true;
    }

    private static bool AttributesWellFormed(ReadOnlySpan<byte> attributes, int depth)
    {
        while (!attributes.IsEmpty)
        {
            if (attributes.Length < 4)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return false;
            }

            bool nested = (BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x8000) != 0;
            if (nested && depth < 4 && !AttributesWellFormed(attributes[4..length], depth + 1))
            {
                return false;
            }

            attributes = attributes[Math.Min((length + 3) & ~3, attributes.Length)..];
        }

        return true;
    }

    /// <summary>Parses messages, a genl header, and every attribute recursively, reading each as every type.</summary>
    internal static void WalkEverything(ReadOnlySpan<byte> datagram)
    {
        foreach (var message in new NetlinkMessageReader(datagram))
        {
            _ = GenlMsgHeader.Read(message.Payload);
            Walk(message.Payload[GenlMsgHeader.Size..], 0);
        }
    }

    private static void Walk(ReadOnlySpan<byte> attributes, int depth)
    {
        foreach (var a in new AttributeReader(attributes))
        {
            _ = a.GetString();
            TryTyped(a);
            if (depth >= 4)
            {
                continue;
            }

            if (a.IsNested)
            {
                Walk(a.Payload, depth + 1);
            }
            else
            {
                try
                {
                    Walk(a.Payload, depth + 1); // Reading any payload as attributes must also be safe.
                }
                catch (NetlinkProtocolException)
                {
                }
            }
        }
    }

    private static void TryTyped(NetlinkAttribute a)
    {
        try
        {
            _ = a.Payload.Length switch
            {
                1 => a.GetU8(),
                2 => a.GetU16(),
                4 => a.GetU32(),
                8 => a.GetU64(),
                _ => (ulong)a.GetAddress().GetHashCode(),
            };
        }
        catch (NetlinkProtocolException)
        {
        }
    }
}
