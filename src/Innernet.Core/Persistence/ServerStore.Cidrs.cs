using Innernet.Core.Cidrs;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>Every CIDR, in id order.</summary>
    public IReadOnlyList<Cidr> ListCidrs() => Current.Cidrs;

    /// <summary>The CIDR with this id, or null.</summary>
    public Cidr? GetCidr(long id) => Current.FindCidr(id);

    /// <summary>Adds a CIDR after <see cref="CidrRules.ValidateCreate"/> (name, range, place in the tree).</summary>
    /// <returns>The CIDR with its new id.</returns>
    /// <exception cref="ValidationException">A rule is broken or the name or range is taken.</exception>
    public Cidr AddCidr(CidrContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return Write(state =>
        {
            CidrRules.ValidateCreate(state.Cidrs, state.Peers, contents);
            var cidr = contents.WithId(state.Sequences.LastCidrId + 1);
            return new Planned<Cidr>(cidr, state.WithCidrAdded(cidr), () => _engine.InsertCidr(cidr));
        });
    }

    /// <summary>
    /// Renames a CIDR. Unlike innernet, which stores any name here, the new name must follow the hostname
    /// rule that creation enforces, and be unused.
    /// </summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    /// <exception cref="ValidationException">The name is invalid or taken.</exception>
    public void RenameCidr(long id, string newName)
    {
        Hostname.Validate(newName, "CIDR name");
        _ = Write(state =>
        {
            var cidr = state.FindCidr(id) ?? throw CidrNotFound(id);
            if (cidr.Name == newName)
            {
                return Planned<bool>.Unchanged(false);
            }

            if (state.Cidrs.FirstOrDefault(c => c.Name == newName) is { } other)
            {
                throw new ValidationException($"CIDR name '{newName}' is already taken by CIDR {other}.");
            }

            var renamed = cidr with { Name = newName };
            return new Planned<bool>(true, state.WithCidrReplaced(renamed), () => _engine.UpdateCidr(renamed));
        });
    }

    /// <summary>
    /// Deletes a CIDR that nothing refers to (<see cref="CidrRules.ValidateDelete"/>: not the root or infra
    /// CIDR, no peers including disabled ones, no children, no associations).
    /// </summary>
    /// <exception cref="NotFoundException">No CIDR has this id (innernet's API answers 204 then; the API maps it).</exception>
    /// <exception cref="ValidationException">The CIDR is still referenced.</exception>
    public void DeleteCidr(long id)
    {
        _ = Write(state =>
        {
            CidrRules.ValidateDelete(state.Cidrs, state.Peers, state.Associations, id);
            return new Planned<bool>(true, state.WithCidrRemoved(id), () => _engine.DeleteCidr(id));
        });
    }

    private static NotFoundException CidrNotFound(long id) => new($"CIDR {id} does not exist.");
}
