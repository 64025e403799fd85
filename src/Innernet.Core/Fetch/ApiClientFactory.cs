using Innernet.Core.Api;
using Innernet.Core.Config;

namespace Innernet.Core.Fetch;

/// <summary>Creates the API client for a network's config (tests bind the client socket to a peer address).</summary>
public static class ApiClientFactory
{
    /// <summary>The production factory: the config's internal endpoint and server key, default options.</summary>
    public static Func<InterfaceConfig, InnernetApiClient> Default { get; } =
        static config => new InnernetApiClient(config.Server.InternalEndpoint, config.Server.PublicKey);
}
