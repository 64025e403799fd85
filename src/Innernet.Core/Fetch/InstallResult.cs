namespace Innernet.Core.Fetch;

/// <summary>What <c>install</c> did.</summary>
/// <param name="InterfaceName">The installed interface.</param>
/// <param name="ConfigPath">The config written (0600).</param>
/// <param name="Fetch">The successful fetch, or null when all attempts failed (the user must run <c>up</c>).</param>
public sealed record InstallResult(string InterfaceName, string ConfigPath, FetchResult? Fetch);
