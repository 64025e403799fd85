using System.CommandLine;
using System.Text;

namespace Innernet.Cli;

/// <summary><c>completions &lt;shell&gt;</c>: a completion script (verbs and their options) for bash, zsh or fish.</summary>
internal static class CompletionsCommand
{
    /// <param name="root">The command tree to complete (called when the verb runs, once the tree is complete).</param>
    /// <param name="target">The function and program names.</param>
    /// <param name="output">Where the script goes.</param>
    /// <param name="wrap">The CLI's action wrapper (error handling, no root check).</param>
    public static Command Create(
        Func<Command> root,
        CompletionTarget target,
        TextWriter output,
        Func<Func<ParseResult, CancellationToken, Task>, Func<ParseResult, CancellationToken, Task<int>>> wrap)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completions", "Print a shell completion script") { shell };
        command.SetAction(wrap(async (parse, _) =>
            await output.WriteAsync(Script(root(), parse.GetRequiredValue(shell), target)).ConfigureAwait(false)));
        return command;
    }

    public static string Script(Command root, string shell, CompletionTarget target)
    {
        string function = target.Function;
        string programs = string.Join(' ', target.Programs);
        string program = target.Programs[0];
        var verbs = root.Subcommands.Where(c => !c.Hidden).ToList();
        var globals = root.Options.Where(o => !o.Hidden).SelectMany(Names).ToList();
        var text = new StringBuilder();
        switch (shell)
        {
            case "bash":
                text.Append(function).Append("() {\n  local cur verb\n  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n  verb=\"\"\n")
                    .Append("  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do case \"$w\" in -*) ;; *) verb=\"$w\"; break;; esac; done\n")
                    .Append("  case \"$verb\" in\n");
                foreach (var verb in verbs)
                {
                    text.Append("    ").AppendJoin('|', verb.Aliases.Prepend(verb.Name)).Append(") COMPREPLY=($(compgen -W \"")
                        .AppendJoin(' ', verb.Options.SelectMany(Names).Concat(globals)).Append("\" -- \"$cur\"));;\n");
                }

                text.Append("    *) COMPREPLY=($(compgen -W \"").AppendJoin(' ', verbs.Select(v => v.Name).Concat(globals))
                    .Append("\" -- \"$cur\"));;\n  esac\n}\ncomplete -F ").Append(function).Append(' ').Append(programs).Append('\n');
                break;
            case "zsh":
                text.Append("#compdef ").Append(programs).Append('\n').Append(function).Append("() {\n  local -a verbs\n  verbs=(\n");
                foreach (var verb in verbs)
                {
                    text.Append("    '").Append(verb.Name).Append(':').Append(Strip(verb.Description)).Append("'\n");
                }

                text.Append("  )\n  if (( CURRENT == 2 )); then _describe 'command' verbs; else _arguments '*:file:_files' ")
                    .AppendJoin(' ', globals.Select(g => $"'{g}'")).Append("; fi\n}\ncompdef ").Append(function).Append(' ').Append(programs).Append('\n');
                break;
            default:
                text.Append("complete -c ").Append(program).Append(" -f\n");
                foreach (var verb in verbs)
                {
                    text.Append("complete -c ").Append(program).Append(" -n __fish_use_subcommand -a ").Append(verb.Name)
                        .Append(" -d '").Append(Strip(verb.Description)).Append("'\n");
                    foreach (var option in verb.Options.Where(o => !o.Hidden && o.Name.StartsWith("--", StringComparison.Ordinal)))
                    {
                        text.Append("complete -c ").Append(program).Append(" -n '__fish_seen_subcommand_from ").Append(verb.Name)
                            .Append("' -l ").Append(option.Name[2..]).Append(" -d '").Append(Strip(option.Description)).Append("'\n");
                    }
                }

                break;
        }

        return text.ToString();
    }

    private static IEnumerable<string> Names(Option option) => option.Aliases.Prepend(option.Name);

    /// <summary>Drops single quotes, which would end the quoted description.</summary>
    private static string Strip(string? text) => (text ?? string.Empty).Replace("'", string.Empty, StringComparison.Ordinal);
}
