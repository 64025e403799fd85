using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage(
    "System.Text.Json.SourceGeneration",
    "SYSLIB1225",
    Justification = "WireGuardKey.Bytes is a span the generator skips; every WireGuardKey goes through WireGuardKeyJsonConverter.")]
