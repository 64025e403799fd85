namespace Innernet.Testing.Fuzzing;

/// <summary>
/// One parser under fuzzing: how to feed it bytes, which exceptions its documentation allows, and what to
/// start from. <see cref="Run"/> returns normally for an accepted input, throws a documented exception for a
/// rejected one; anything else (another exception, a broken property such as a failed round trip, a hang) is
/// a finding.
/// </summary>
public sealed class FuzzTarget
{
    /// <summary>Short name used on the command line and for fixture folders (e.g. <c>uapi-get</c>).</summary>
    public required string Name { get; init; }

    /// <summary>One line: what is parsed and what its contract is.</summary>
    public required string Description { get; init; }

    /// <summary>Valid inputs to mutate (golden files, real innernet output).</summary>
    public required Func<IReadOnlyList<byte[]>> Seeds { get; init; }

    /// <summary>Tokens of the input language for the mutator.</summary>
    public required IReadOnlyList<string> Dictionary { get; init; }

    /// <summary>Parses one input and checks the properties of an accepted value.</summary>
    public required Action<byte[]> Run { get; init; }

    /// <summary>True for the exceptions the parser documents for bad input.</summary>
    public required Func<Exception, bool> IsDocumented { get; init; }

    public override string ToString() => Name;
}
