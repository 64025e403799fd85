using Innernet.Client.Cli;

return await ClientCommandLine.RunAsync(args, ClientContext.CreateDefault()).ConfigureAwait(false);
