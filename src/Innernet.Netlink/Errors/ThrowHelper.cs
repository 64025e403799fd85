using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Innernet.Netlink.Errors;

/// <summary>Cold throw paths, kept out of line so parsers and writers stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowProtocol(string message) => throw new NetlinkProtocolException(message);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T ThrowProtocol<T>(string message) => throw new NetlinkProtocolException(message);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNetlink(int errno, string operation, string? extack, int? offset) =>
        throw new NetlinkErrorException((Errno)errno, operation, extack, offset);

    /// <summary>A failed system call: errno captured by the caller right after the call.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowSystemCall(string call, int errno) =>
        throw new NetlinkException((Errno)errno, call);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowBufferTooSmall(int needed, int available) =>
        throw new InvalidOperationException(
            $"The netlink message buffer is too small: {needed} more bytes needed, {available} left.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowAttributeTooLarge(ushort type, int length) =>
        throw new InvalidOperationException(
            $"Netlink attribute type {type} would be {length} bytes; nla_len is 16 bits (max 65535).");
}
