using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>
/// The userspace (UAPI) backend where Tmds.LibC cannot load — as on macOS and FreeBSD, where the package has no
/// runtime assembly. A separate <see cref="AssemblyLoadContext"/> holds its own copy of Innernet.Netlink and refuses
/// every request for Tmds.LibC; the JIT asks for that assembly as soon as it compiles any method that touches a
/// Linux-only call, so "no request" proves that no such call was compiled, let alone reached.
/// </summary>
public sealed class UapiWithoutLibCTests : IDisposable
{
    private const string TmdsLibC = "Tmds.LibC";
    private readonly UapiTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UserspaceBackend_TmdsLibCUnloadable_ListsReadsAndConfiguresWithoutAskingForIt()
    {
        using var server = new FakeUapiServer(_dir.File("wgtest0.sock"), request => Encoding.ASCII.GetBytes(
            request.StartsWith("get=1", StringComparison.Ordinal) ? "listen_port=51820\nfwmark=7\nerrno=0\n\n" : "errno=0\n\n"));
        var context = new NoLibCContext();
        try
        {
            var api = new IsolatedApi(context);
            using var client = api.Open("Userspace", _dir.Path);

            Assert.Equal(["wgtest0"], api.ListDevices(client));
            object device = api.GetDevice(client, "wgtest0") ?? throw new InvalidOperationException("no device");
            Assert.Equal((ushort)51820, IsolatedApi.Property(device, "ListenPort"));
            Assert.Equal(7u, IsolatedApi.Property(device, "FirewallMark"));
            api.ConfigureListenPort(client, "wgtest0", 51821);
            Assert.Null(api.GetDevice(client, "wgabsent"));

            Assert.Contains(server.Requests, r => r.StartsWith("set=1\n", StringComparison.Ordinal) && r.Contains("listen_port=51821\n"));
            Assert.Empty(context.Refused);
            Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == TmdsLibC);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The control: the same context does stop the kernel backend, so the test above cannot pass by accident.</summary>
    [Fact]
    public void KernelBackend_TmdsLibCUnloadable_FailsAskingForIt()
    {
        var context = new NoLibCContext();
        try
        {
            var api = new IsolatedApi(context);
            var e = Assert.ThrowsAny<Exception>(() => api.Open("Kernel", _dir.Path).Dispose());
            Assert.Contains(TmdsLibC, e.ToString(), StringComparison.Ordinal);
            Assert.Contains(TmdsLibC, context.Refused);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Loads Innernet.Netlink from the test's output and refuses Tmds.LibC; the framework comes from the default
    /// context.</summary>
    private sealed class NoLibCContext() : AssemblyLoadContext("no-tmds-libc", isCollectible: true)
    {
        private static readonly string NetlinkPath = typeof(WireGuardClient).Assembly.Location;

        public List<string> Refused { get; } = [];

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == TmdsLibC)
            {
                lock (Refused)
                {
                    Refused.Add(TmdsLibC);
                }

                throw new FileNotFoundException($"{TmdsLibC} is absent from this load context, as on macOS.", TmdsLibC);
            }

            return assemblyName.Name == "Innernet.Netlink" ? LoadFromAssemblyPath(NetlinkPath) : null;
        }
    }

    /// <summary>The public API of the isolated copy, through reflection (its types are not the test's types).</summary>
    private sealed class IsolatedApi(AssemblyLoadContext context)
    {
        private readonly Assembly _netlink = context.LoadFromAssemblyName(new AssemblyName("Innernet.Netlink"));

        private Type ClientType => Type("Innernet.Netlink.WireGuard.WireGuardClient");

        public IDisposable Open(string backend, string socketDirectory)
        {
            object options = Activator.CreateInstance(Type("Innernet.Netlink.WireGuard.WireGuardClientOptions"))!;
            options.GetType().GetProperty("SocketDirectory")!.SetValue(options, socketDirectory);
            object backendValue = Enum.Parse(Type("Innernet.Netlink.WireGuard.WireGuardBackend"), backend);
            try
            {
                return (IDisposable)ClientType.GetMethod("Open")!.Invoke(null, [backendValue, options])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }

        public IReadOnlyList<string> ListDevices(IDisposable client) =>
            (IReadOnlyList<string>)ClientType.GetMethod("ListDevices")!.Invoke(client, null)!;

        public object? GetDevice(IDisposable client, string name) => ClientType.GetMethod("GetDevice")!.Invoke(client, [name]);

        public void ConfigureListenPort(IDisposable client, string name, ushort port)
        {
            object config = Activator.CreateInstance(Type("Innernet.Netlink.WireGuard.DeviceConfig"))!;
            config.GetType().GetProperty("ListenPort")!.SetValue(config, port);
            ClientType.GetMethod("ConfigureDevice")!.Invoke(client, [name, config]);
        }

        public static object? Property(object instance, string name) => instance.GetType().GetProperty(name)!.GetValue(instance);

        private Type Type(string name) => _netlink.GetType(name, throwOnError: true)!;
    }
}
