using Innernet.Benchmarks;

return BenchmarkCommand.Run(args);
