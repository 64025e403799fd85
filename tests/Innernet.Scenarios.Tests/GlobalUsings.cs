global using System.Net;
global using Innernet.Testing;
global using Innernet.Testing.Networks;
