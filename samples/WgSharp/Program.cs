using System.Text;
using WgSharp;

// A wg(8)-style tool on Innernet.Netlink: `WgSharp show wg0 dump`, `WgSharp setconf wg0 wg0.conf`, ...
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
bool terminal = !Console.IsOutputRedirected;
var tool = WgTool.Create(Environment.GetEnvironmentVariable, WgClients.Open, WgClients.KernelAvailable, stdout, stderr, terminal);
return tool.Run(args);
