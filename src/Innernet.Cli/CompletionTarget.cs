namespace Innernet.Cli;

/// <summary>What a completion script completes: the shell function's name and the program names it is bound to.</summary>
/// <param name="Function">The bash/zsh function, e.g. <c>_innernet</c>.</param>
/// <param name="Programs">The program names (the first one for fish), e.g. <c>innernet</c> and <c>inn</c>.</param>
internal sealed record CompletionTarget(string Function, IReadOnlyList<string> Programs);
