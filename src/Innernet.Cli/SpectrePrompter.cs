using Spectre.Console;

namespace Innernet.Cli;

/// <summary>Interactive prompts on a terminal (Spectre.Console).</summary>
internal sealed class SpectrePrompter(IAnsiConsole console) : IPrompter
{
    public string Ask(string flag, string question, string? defaultValue, Func<string, string?> validate)
    {
        var prompt = new TextPrompt<string>(Markup.Escape(question))
            .Validate(value => validate(value) is { } error ? ValidationResult.Error(Markup.Escape(error)) : ValidationResult.Success());
        if (defaultValue is not null)
        {
            prompt.DefaultValue(defaultValue);
        }

        return console.Prompt(prompt).Trim();
    }

    public bool Confirm(string flag, string question, bool defaultValue)
        => console.Prompt(new ConfirmationPrompt(Markup.Escape(question)) { DefaultValue = defaultValue });

    public T Select<T>(string flag, string title, IReadOnlyList<T> choices, Func<T, string> display)
        where T : notnull
    {
        if (choices.Count == 0)
        {
            throw new CliUserException($"{title}: there is nothing to choose from.");
        }

        var prompt = new SelectionPrompt<T>()
            .Title(Markup.Escape(title))
            .UseConverter(choice => Markup.Escape(display(choice)))
            .AddChoices(choices);
        return console.Prompt(prompt);
    }
}
