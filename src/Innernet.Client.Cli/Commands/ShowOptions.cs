namespace Innernet.Client.Commands;

/// <summary>How <c>show</c> prints.</summary>
internal sealed record ShowOptions(bool Short, bool Tree, bool Json, int Verbosity);
