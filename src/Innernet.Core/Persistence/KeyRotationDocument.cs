using Innernet.Core.Model;
using LiteDB;
using static Innernet.Core.Persistence.StoreMapper;

namespace Innernet.Core.Persistence;

/// <summary>
/// A peer's key history in its <c>peers</c> row (field <c>key_rotations</c>, an extension innernet's schema lacks):
/// written only when not empty, so rows of peers that never rotated stay as they were; a missing field reads as none.
/// </summary>
internal static class KeyRotationDocument
{
    public const string Field = "key_rotations";

    private const string Generation = "generation";
    private const string OldPublicKey = "old_public_key";
    private const string PublicKey = "public_key";
    private const string Signature = "signature";

    /// <summary>Adds the peer's key history to its row when it has one.</summary>
    public static BsonDocument WithRotations(BsonDocument row, IReadOnlyList<KeyRotation> rotations)
    {
        if (rotations.Count > 0)
        {
            var array = new BsonArray();
            foreach (var rotation in rotations)
            {
                array.Add(new BsonDocument
                {
                    [Generation] = rotation.Generation,
                    [OldPublicKey] = Write(rotation.OldPublicKey),
                    [PublicKey] = Write(rotation.PublicKey),
                    [Signature] = rotation.Signature,
                });
            }

            row[Field] = array;
        }

        return row;
    }

    /// <summary>The key history in a row's <see cref="Field"/> value (null when the field is missing); none when null.</summary>
    public static IReadOnlyList<KeyRotation> Read(BsonValue value)
    {
        if (value.IsNull)
        {
            return [];
        }

        if (!value.IsArray)
        {
            throw Corrupt("key rotation list", value);
        }

        var rotations = new List<KeyRotation>(value.AsArray.Count);
        foreach (var item in value.AsArray)
        {
            if (!item.IsDocument)
            {
                throw Corrupt("key rotation", item);
            }

            var document = item.AsDocument;
            rotations.Add(new KeyRotation
            {
                Generation = ReadInt64(Required(document, Generation), "key rotation generation"),
                OldPublicKey = ReadKey(Required(document, OldPublicKey)),
                PublicKey = ReadKey(Required(document, PublicKey)),
                Signature = ReadString(Required(document, Signature), "key rotation signature"),
            });
        }

        return rotations;
    }
}
