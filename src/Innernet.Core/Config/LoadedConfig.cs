namespace Innernet.Core.Config;

/// <summary>A configuration read from disk plus warnings to show the user (e.g. loose file permissions).</summary>
public sealed record LoadedConfig<T>(T Config, IReadOnlyList<string> Warnings);
