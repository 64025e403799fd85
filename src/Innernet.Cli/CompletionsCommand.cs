using System.CommandLine;
using System.Text;

namespace Innernet.Cli;

/// <summary>
/// <c>completions &lt;shell&gt;</c>: a completion script (verbs and their options) for bash, zsh, fish, elvish or PowerShell.
/// </summary>
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
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish, elvish or powershell" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "elvish", "powershell");
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
                    .AppendJoin(' ', globals.Select(g => $"'{g}'")).Append("; fi\n}\ncompdef ")
                    .Append(function).Append(' ').Append(programs).Append('\n');
                break;
            case "elvish":
                foreach (string name in target.Programs)
                {
                    text.Append("set edit:completion:arg-completer[").Append(name).Append("] = {|@words|\n  var verbs = [");
                    foreach (var verb in verbs)
                    {
                        // Quoted: elvish expands ? and * in bare words.
                        text.Append(" &").Append(verb.Name).Append("=[")
                            .AppendJoin(' ', verb.Options.SelectMany(Names).Concat(globals).Select(o => $"'{o}'")).Append(']');
                    }

                    text.Append(" ]\n  if (and (> (count $words) 2) (has-key $verbs $words[1])) { all $verbs[$words[1]] } "
                        + "else { keys $verbs; put ")
                        .AppendJoin(' ', globals.Select(g => $"'{g}'")).Append(" }\n}\n");
                }

                break;
            case "powershell":
                text.Append("Register-ArgumentCompleter -Native -CommandName ").AppendJoin(',', target.Programs.Select(p => $"'{p}'"))
                    .Append(" -ScriptBlock {\n  param($wordToComplete, $commandAst, $cursorPosition)\n  $globals = @(")
                    .AppendJoin(',', globals.Select(g => $"'{g}'")).Append(")\n  $verbs = @{\n");
                foreach (var verb in verbs)
                {
                    text.Append("    '").Append(verb.Name).Append("' = @(")
                        .AppendJoin(',', verb.Options.SelectMany(Names).Select(o => $"'{o}'")).Append(")\n");
                }

                text.Append("  }\n  $verb = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { \"$_\" } |")
                    .Append(" Where-Object { $verbs.ContainsKey($_) }) | Select-Object -First 1\n")
                    .Append("  $candidates = if ($verb) { $verbs[$verb] + $globals } else { @($verbs.Keys) + $globals }\n")
                    .Append("  $candidates | Where-Object { $_ -like \"$wordToComplete*\" } |")
                    .Append(" ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }\n}\n");
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
