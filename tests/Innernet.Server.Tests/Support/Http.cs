using System.Net.Http.Headers;
using Innernet.Core.Contracts;

namespace Innernet.Server.Tests.Support;

/// <summary>Request and response helpers speaking innernet's JSON.</summary>
internal static class Http
{
    /// <summary>A JSON body with Content-Length (as innernet's client sends it).</summary>
    public static ByteArrayContent Json<T>(T value) => JsonText(InnernetJson.Serialize(value));

    public static ByteArrayContent JsonText(string json)
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static async Task<T> ReadJsonAsync<T>(this HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return InnernetJson.Deserialize<T>(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public static Task<HttpResponseMessage> Get(this HttpClient client, string path)
        => client.GetAsync(path, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PostJson<T>(this HttpClient client, string path, T body)
        => client.PostAsync(path, Json(body), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PutJson<T>(this HttpClient client, string path, T body)
        => client.PutAsync(path, Json(body), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> Delete(this HttpClient client, string path)
        => client.DeleteAsync(path, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string path, HttpContent? body = null)
        => client.SendAsync(new HttpRequestMessage(method, path) { Content = body }, TestContext.Current.CancellationToken);

    /// <summary>Asserts the status and, for errors, innernet's empty error body.</summary>
    public static async Task AssertStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}; body '{body}'");
        if ((int)expected >= 400)
        {
            Assert.Equal(string.Empty, body);
        }
    }
}
