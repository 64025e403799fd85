using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Tmds.Linux;

namespace Innernet.Server.Api;

/// <summary>
/// Marks connections accepted on the local admin Unix socket, after checking (SO_PEERCRED) that the
/// connecting process runs as the server's own user. Only marked connections are the local root admin;
/// a TCP connection can never carry the mark.
/// </summary>
internal static class LocalAdminConnection
{
    private static readonly ConnectionMark Mark = new();

    /// <summary>Kestrel connection middleware for the admin socket's listen options.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(ILogger logger)
        => next => async connection =>
        {
            var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
            uint uid = socket is not null && TryGetPeerUid(socket, out uint peerUid) ? peerUid : uint.MaxValue;
            if (uid != ServerUid())
            {
                ApiLog.LocalAdminRefused(logger, uid, ServerUid());
                connection.Abort();
                return;
            }

            Mark.Set(connection);
            await next(connection).ConfigureAwait(false);
        };

    /// <summary>True when the request arrived on the local admin socket.</summary>
    public static bool IsLocalAdmin(HttpContext context) => Mark.IsOn(context);

    private static uint ServerUid() => LibC.geteuid();

    private static bool TryGetPeerUid(Socket socket, out uint uid)
    {
        int size = Unsafe.SizeOf<ucred>();
        Span<byte> buffer = stackalloc byte[size];
        int length = socket.GetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_PEERCRED, buffer);
        if (length < size)
        {
            uid = 0;
            return false;
        }

        uid = MemoryMarshal.Read<ucred>(buffer).uid;
        return true;
    }
}
