using System.CommandLine;
using System.Text;
using Innernet.Client.Cli;

namespace Innernet.Client.Commands;

/// <summary><c>completions &lt;shell&gt;</c>: a completion script (verbs and their options) for bash, zsh or fish.</summary>
internal static class CompletionsCommand
{
    private const string Program = "innernet";

    public static Command Create(ClientContext context, Func<Command> root)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completions", "Print a shell completion script") { shell };
        command.SetAction(CliAction.Create(context, async (parse, _) =>
            await context.Out.WriteAsync(Script(root(), parse.GetRequiredValue(shell))).ConfigureAwait(false)));
        return command;
    }

    public static string Script(Command root, string shell)
    {
        var verbs = root.Subcommands.Where(c => !c.Hidden).ToList();
        var globals = root.Options.Where(o => !o.Hidden).SelectMany(Names).ToList();
        var text = new StringBuilder();
        switch (shell)
        {
            case "bash":
                text.Append("_innernet() {\n  local cur verb\n  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n  verb=\"\"\n")
                    .Append("  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do case \"$w\" in -*) ;; *) verb=\"$w\"; break;; esac; done\n")
                    .Append("  case \"$verb\" in\n");
                foreach (var verb in verbs)
                {
                    text.Append("    ").AppendJoin('|', verb.Aliases.Prepend(verb.Name)).Append(") COMPREPLY=($(compgen -W \"")
                        .AppendJoin(' ', verb.Options.SelectMany(Names).Concat(globals)).Append("\" -- \"$cur\"));;\n");
                }

                text.Append("    *) COMPREPLY=($(compgen -W \"").AppendJoin(' ', verbs.Select(v => v.Name).Concat(globals))
                    .Append("\" -- \"$cur\"));;\n  esac\n}\ncomplete -F _innernet innernet inn\n");
                break;
            case "zsh":
                text.Append("#compdef innernet inn\n_innernet() {\n  local -a verbs\n  verbs=(\n");
                foreach (var verb in verbs)
                {
                    text.Append("    '").Append(verb.Name).Append(':').Append(Strip(verb.Description)).Append("'\n");
                }

                text.Append("  )\n  if (( CURRENT == 2 )); then _describe 'command' verbs; else _arguments '*:file:_files' ")
                    .AppendJoin(' ', globals.Select(g => $"'{g}'")).Append("; fi\n}\ncompdef _innernet innernet inn\n");
                break;
            default:
                text.Append("complete -c ").Append(Program).Append(" -f\n");
                foreach (var verb in verbs)
                {
                    text.Append("complete -c ").Append(Program).Append(" -n __fish_use_subcommand -a ").Append(verb.Name)
                        .Append(" -d '").Append(Strip(verb.Description)).Append("'\n");
                    foreach (var option in verb.Options.Where(o => !o.Hidden && o.Name.StartsWith("--", StringComparison.Ordinal)))
                    {
                        text.Append("complete -c ").Append(Program).Append(" -n '__fish_seen_subcommand_from ").Append(verb.Name)
                            .Append("' -l ").Append(option.Name[2..]).Append(" -d '").Append(Strip(option.Description)).Append("'\n");
                    }
                }

                break;
        }

        return text.ToString();
    }

    private static IEnumerable<string> Names(Option option) => option.Aliases.Prepend(option.Name);

    private static string Strip(string? text) => (text ?? string.Empty).Replace("'", string.Empty, StringComparison.Ordinal);
}
