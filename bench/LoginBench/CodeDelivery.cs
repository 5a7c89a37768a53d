using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

/// <summary>
/// Code delivery latency: new-device logins at a fixed rate, each sending its code by one channel; the latency runs from
/// the send request to the moment the provider's side had it (the Twilio-compatible sink's receipt of the SDK's request;
/// smtp4dev's receipt of the mail), on the same machine clock.
/// </summary>
internal static class CodeDelivery
{
    public sealed record Result(string Channel, int Codes, int Delivered, double P50, double P99, string Refused);

    public static async Task<Result> RunAsync(DistributedApplication app, HttpClient http, string channel, int rate, int seconds)
    {
        var users = new List<(string Username, string Password, string Recipient)>();
        using (var loginApi = await InternalClient.LoginApiAsync(app))
        {
            for (var i = 0; i < Warmup + rate * seconds; i++)
            {
                var username = $"{channel}-{i}-{Guid.NewGuid():N}"[..20];
                var phone = channel == "sms" ? $"+38591{i:D7}" : null;
                var email = $"{username}@bench.test";
                (await loginApi.PostAsJsonAsync("/internal/testing/users", new
                {
                    account = "bench", username, email, password = $"bench-password-{username}", phone,
                })).EnsureSuccessStatusCode();
                users.Add((username, $"bench-password-{username}", phone ?? email));
            }
        }
        // The first codes after start-up pay for JIT and the first connections of each hop: sent, not timed.
        foreach (var user in users.Take(Warmup))
        {
            await SendAsync(http, user.Username, user.Password, channel, () => { });
        }
        users = users[Warmup..];
        var sentAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var refused = new ConcurrentDictionary<string, int>();
        var pacing = Stopwatch.StartNew();
        await Task.WhenAll(users.Select(async (user, i) =>
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > pacing.Elapsed)
            {
                await Task.Delay(due - pacing.Elapsed);
            }
            var status = await SendAsync(http, user.Username, user.Password, channel, () => sentAt[user.Recipient] = DateTimeOffset.UtcNow);
            if (status is not null)
            {
                refused.AddOrUpdate(status, 1, (_, n) => n + 1);
            }
        }));

        // Until every code arrived, or 10 s after the last send.
        var deadline = Stopwatch.StartNew();
        double[] latencies;
        do
        {
            await Task.Delay(500);
            latencies = [.. (await ReceivedAsync(app, channel)).Where(m => sentAt.ContainsKey(m.To)).Select(m => (m.At - sentAt[m.To]).TotalMilliseconds).Order()];
        }
        while (latencies.Length < users.Count && deadline.Elapsed < TimeSpan.FromSeconds(10));
        return new Result(channel, users.Count, latencies.Length, LoadDriver.Percentile(latencies, 0.5), LoadDriver.Percentile(latencies, 0.99),
            refused.IsEmpty ? "none" : string.Join(", ", refused.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value}× {r.Key}")));
    }

    private const int Warmup = 10;

    /// <summary>A new-device login (its flow waits for the second factor), then the send of its code with the cookies the login set (the flow is bound to its browser).</summary>
    /// <returns>Null when the code was accepted for sending, else which request refused it and how.</returns>
    private static async Task<string?> SendAsync(HttpClient http, string username, string password, string channel, Action sending)
    {
        using var login = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        if (login.StatusCode != HttpStatusCode.OK || !(await login.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("flowId", out var flow))
        {
            return $"login {(int)login.StatusCode}";
        }
        var flowId = flow.GetString();
        using var send = new HttpRequestMessage(HttpMethod.Post, "/api/auth/second-factor/send") { Content = JsonContent.Create(new { flowId, channel }) };
        if (login.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            send.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => c.Split(';')[0])));
        }
        sending();
        using var sent = await http.SendAsync(send);
        return sent.StatusCode == HttpStatusCode.Accepted ? null : $"send {(int)sent.StatusCode}";
    }

    private static async Task<IEnumerable<(string To, DateTimeOffset At)>> ReceivedAsync(DistributedApplication app, string channel)
    {
        if (channel == "sms")
        {
            using var sink = app.CreateHttpClient("twilio-sink", "http");
            var received = await sink.GetFromJsonAsync<JsonElement[]>("/api/messages");
            return received!.Select(m => (m.GetProperty("to").GetString()!, m.GetProperty("receivedAt").GetDateTimeOffset()));
        }
        using var mail = app.CreateHttpClient("mail", "http");
        var page = await mail.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=5000");
        return page.GetProperty("results").EnumerateArray()
            .SelectMany(m => m.GetProperty("to").EnumerateArray().Select(t => (t.GetString()!, m.GetProperty("receivedDate").GetDateTimeOffset())));
    }
}
