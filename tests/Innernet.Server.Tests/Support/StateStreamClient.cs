using Innernet.Core.Contracts;

namespace Innernet.Server.Tests.Support;

/// <summary>
/// A test's reader of <c>GET /v1/user/state/stream</c> over real HTTP: the response is taken at its headers and
/// the body read line by line as it arrives. Each line is a message, an empty line a heartbeat; the end of the
/// body is the end of the stream.
/// </summary>
internal sealed class StateStreamClient : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private StateStreamClient(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream from <paramref name="client"/>; the status is asserted by the caller.</summary>
    public static async Task<StateStreamClient> OpenAsync(HttpClient client, string? since = null)
    {
        string path = since is null ? "/v1/user/state/stream" : $"/v1/user/state/stream?since={Uri.EscapeDataString(since)}";
        var response = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return new StateStreamClient(response, new StreamReader(body));
    }

    /// <summary>The next line: a message's JSON, "" for a heartbeat, null at the end of the body.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        try
        {
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"no line within {Wait.TotalSeconds} s");
            throw;
        }
        catch (IOException)
        {
            // The server closed the connection without ending the body cleanly.
            return null;
        }
    }

    /// <summary>The next message (not a heartbeat, not the end).</summary>
    public async Task<StateUpdate> ReadMessageAsync()
    {
        string? line = await ReadLineAsync();
        Assert.False(string.IsNullOrEmpty(line), line is null ? "the stream ended" : "a heartbeat instead of a message");
        return InnernetJson.Deserialize<StateUpdate>(line!);
    }

    /// <summary>Asserts the stream ends (its body finishes) with no further message.</summary>
    public async Task AssertEndsAsync()
    {
        string? line = await ReadLineAsync();
        Assert.True(line is null, $"expected the end of the stream, got '{line}'");
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
