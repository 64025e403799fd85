using Innernet.Benchmarks.Server;

return await ServerBenchCommand.RunAsync(args);
