using Innernet.Benchmarks.Live;

return args switch
{
    ["clients", .. var rest] => await StreamClients.RunAsync(rest),
    _ => await LiveBench.RunAsync(args),
};
