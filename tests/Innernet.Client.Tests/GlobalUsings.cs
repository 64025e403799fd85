global using System.Net;
global using Innernet.Testing;
