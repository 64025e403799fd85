using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>Every association, in id order, with the CIDR ids in the order they were given.</summary>
    public IReadOnlyList<Association> ListAssociations() => Current.Associations;

    /// <summary>Links two distinct, existing CIDRs that are not linked yet (in either order).</summary>
    /// <returns>The association with its new id.</returns>
    /// <exception cref="ValidationException">An id is unknown, both ids are the same, or the pair exists.</exception>
    public Association AddAssociation(AssociationContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return Write(state =>
        {
            CheckAssociation(state.Cidrs, state.Associations, contents);
            var association = contents.WithId(state.Sequences.LastAssociationId + 1);
            return new Planned<Association>(
                association, state.WithAssociationAdded(association), () => _engine.InsertAssociation(association));
        });
    }

    /// <summary>Deletes an association.</summary>
    /// <exception cref="NotFoundException">No association has this id (innernet's API answers 204 then; the API maps it).</exception>
    public void DeleteAssociation(long id)
    {
        _ = Write(state =>
        {
            if (state.FindAssociation(id) is null)
            {
                throw new NotFoundException($"Association {id} does not exist.");
            }

            return new Planned<bool>(true, state.WithAssociationRemoved(id), () => _engine.DeleteAssociation(id));
        });
    }

    /// <summary>An association links two different, existing CIDRs that no association links yet (in either order).</summary>
    private static void CheckAssociation(
        IReadOnlyCollection<Cidr> cidrs, IReadOnlyCollection<Association> associations, AssociationContents contents)
    {
        if (contents.CidrId1 == contents.CidrId2)
        {
            throw new ValidationException(
                $"An association needs two different CIDRs; cidr_id_1 and cidr_id_2 are both {contents.CidrId1}.");
        }

        if (!cidrs.Any(c => c.Id == contents.CidrId1))
        {
            throw new ValidationException($"cidr_id_1: CIDR {contents.CidrId1} does not exist.");
        }

        if (!cidrs.Any(c => c.Id == contents.CidrId2))
        {
            throw new ValidationException($"cidr_id_2: CIDR {contents.CidrId2} does not exist.");
        }

        if (associations.FirstOrDefault(a => a.Links(contents.CidrId1, contents.CidrId2)) is { } existing)
        {
            throw new ValidationException(
                $"CIDRs {contents.CidrId1} and {contents.CidrId2} are already associated (association {existing.Id}).");
        }
    }
}
