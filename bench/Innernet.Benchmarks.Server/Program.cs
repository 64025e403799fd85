using Innernet.Benchmarks.Server;

return args is ["post", .. var rest] ? await PostBenchCommand.RunAsync(rest) : await ServerBenchCommand.RunAsync(args);
