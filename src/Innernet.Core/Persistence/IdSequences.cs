namespace Innernet.Core.Persistence;

/// <summary>
/// The last id handed out per collection. Ids grow 1, 2, 3… like SQLite rowids and, unlike them, are
/// never reused, even after the highest row is deleted (the sweeper deletes expired invitations).
/// </summary>
public readonly record struct IdSequences(long LastCidrId, long LastPeerId, long LastAssociationId);
