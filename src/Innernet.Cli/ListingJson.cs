using System.CommandLine;
using Innernet.Core.Contracts;
using Innernet.Core.Model;

namespace Innernet.Cli;

/// <summary>
/// The <c>--json</c> of <c>list-cidrs</c> and <c>list-associations</c> in both CLIs: the API's own shape
/// (<see cref="InnernetJson"/>, compact, one line), a JSON array ordered by id, then a newline. The same network gives
/// the same bytes from <c>innernet-server</c> and from <c>inn</c>.
/// </summary>
internal static class ListingJson
{
    /// <summary>The <c>--json</c> flag of the listing verbs.</summary>
    public static Option<bool> Option() => new("--json") { Description = "Print JSON (the API's shapes) instead of text" };

    /// <summary><c>[{"id","name","cidr","parent"}, …]</c>.</summary>
    public static string Cidrs(IEnumerable<Cidr> cidrs)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        return InnernetJson.Serialize<IReadOnlyList<Cidr>>([.. cidrs.OrderBy(c => c.Id)]) + "\n";
    }

    /// <summary><c>[{"id","cidr_id_1","cidr_id_2"}, …]</c>.</summary>
    public static string Associations(IEnumerable<Association> associations)
    {
        ArgumentNullException.ThrowIfNull(associations);
        return InnernetJson.Serialize<IReadOnlyList<Association>>([.. associations.OrderBy(a => a.Id)]) + "\n";
    }
}
