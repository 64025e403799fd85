using Innernet.Benchmarks.Server;

return args switch
{
    ["post", .. var rest] => await PostBenchCommand.RunAsync(rest),
    ["store-open", .. var rest] => await StoreOpenBench.RunAsync(rest),
    ["live-apply", .. var rest] => await LiveApplyBench.RunAsync(rest),
    ["replica-refresh", .. var rest] => await ReplicaRefreshBench.RunAsync(rest),
    ["replicas", .. var rest] => await ReplicaWriteBench.RunAsync(rest),
    ["store-open-once", var database] => StoreOpenBench.RunOnce(database),
    ["populate", var root, var iface, var size] => NetworkPopulator.Write(root, iface, size),
    _ => await ServerBenchCommand.RunAsync(args),
};
