using Innernet.Core.Interfaces;

namespace Innernet.Client.Cli;

/// <summary>The global options' values.</summary>
internal sealed record GlobalArgs(string ConfigDirectory, string DataDirectory, NetworkOptions Network, int Verbosity);
