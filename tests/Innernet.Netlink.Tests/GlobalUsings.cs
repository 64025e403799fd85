global using System.Net;
global using System.Net.Sockets;
