using System.Globalization;
using System.Text;

namespace Innernet.Core.Config;

/// <summary>Writes the small, fixed TOML layouts innernet uses (sections, strings, integers, booleans, comments).</summary>
internal sealed class TomlText
{
    private readonly StringBuilder _text = new();

    public TomlText Comment(string line)
    {
        _text.Append(line.Length == 0 ? "#" : "# ").Append(line).Append('\n');
        return this;
    }

    public TomlText Section(string name)
    {
        if (_text.Length > 0)
        {
            _text.Append('\n');
        }

        _text.Append('[').Append(name).Append("]\n");
        return this;
    }

    public TomlText String(string key, string value)
    {
        _text.Append(Key(key)).Append(" = ").Append(Quote(value)).Append('\n');
        return this;
    }

    public TomlText Integer(string key, long value)
    {
        _text.Append(Key(key)).Append(" = ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    public TomlText Boolean(string key, bool value)
    {
        _text.Append(Key(key)).Append(" = ").Append(value ? "true" : "false").Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>A bare key when it only has A-Z a-z 0-9 _ -, otherwise a quoted key.</summary>
    private static string Key(string key)
        => key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? key : Quote(key);

    /// <summary>A TOML basic string.</summary>
    private static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\u007f': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
