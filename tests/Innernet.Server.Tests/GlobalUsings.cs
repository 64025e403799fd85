global using System.Net;
global using System.Net.Http;
global using Innernet.Core.Model;
global using Innernet.Server.Tests.Support;
global using Innernet.Testing;
global using Endpoint = Innernet.Core.Model.Endpoint;
