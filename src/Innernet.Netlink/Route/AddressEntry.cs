namespace Innernet.Netlink.Route;

/// <summary>One <c>RTM_NEWADDR</c> entry with the fields the public <see cref="InterfaceAddress"/> drops.</summary>
internal readonly record struct AddressEntry(int Index, byte Scope, uint Flags, InterfaceAddress Address, string? Label);
