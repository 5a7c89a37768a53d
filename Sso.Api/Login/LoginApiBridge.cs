using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AccessPlatform.Contracts;

namespace AccessPlatform.Sso.Login;

public abstract record BridgeOutcome
{
    public sealed record Issued(string Code) : BridgeOutcome;

    public sealed record Refused(string Reason) : BridgeOutcome;

    /// <summary>Login.Api would not take the identity as sent (e.g. an attribute too long): refused, not yet audited.</summary>
    public sealed record Invalid : BridgeOutcome;
}

/// <param name="RecentlyAuthenticated">Login.Api's one rule for "proved the user within the re-authentication window".</param>
public sealed record SessionInfo(Guid UserId, string Username, string Account, string[] Roles, bool? RecentlyAuthenticated = null);

/// <summary>
/// Login.Api as Sso.Api sees it: the internal SSO bridge (with the shared service key) and the session check
/// for the admin pages. Only Login.Api issues sessions.
/// </summary>
public sealed class LoginApiBridge(HttpClient http, Microsoft.Extensions.Options.IOptions<InternalApiOptions> options)
{
    private Task<HttpResponseMessage> SendInternalAsync(HttpMethod method, string path, object body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(InternalApi.KeyHeader, options.Value.Key);
        return SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Login.Api unreachable, too slow, or answering 5xx (its own dependency down) is an outage of this request:
    /// <see cref="DependencyUnavailableException"/> answers 503, not 500 after a long wait.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is HttpRequestException or TimeoutException or OperationCanceledException or Polly.ExecutionRejectedException)
        {
            throw new DependencyUnavailableException("login-api", ex);
        }
        if ((int)response.StatusCode >= 500)
        {
            response.Dispose();
            throw new DependencyUnavailableException("login-api");
        }
        return response;
    }

    public async Task<BridgeOutcome> IssueLoginCodeAsync(SsoLoginRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.LoginsPath, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return new BridgeOutcome.Refused(problem.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "refused" : "refused");
        }
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            return new BridgeOutcome.Invalid();
        }
        response.EnsureSuccessStatusCode();
        var issued = await response.Content.ReadFromJsonAsync<SsoLoginIssued>(cancellationToken);
        return new BridgeOutcome.Issued(issued?.Code ?? throw new HttpRequestException("Login.Api answered without a code."));
    }

    /// <summary>The dry run of a test sign-in; Login.Api audits it as a test (nothing linked or created).</summary>
    public async Task<SsoTestSignInResult> TestSignInAsync(SsoTestSignInRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.TestSignInsPath, request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<SsoTestSignInResult>(cancellationToken)
            ?? throw new HttpRequestException("Login.Api answered without a result.");
    }

    public async Task RecordRefusalAsync(string account, string reason, string? ip, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.RefusalsPath, new SsoRefusalReport(account, reason, ip), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task SetSsoEnforcedAsync(string account, bool enforced, Guid actorId, string? ip, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Put, SsoBridge.SsoEnforcedPath(account), new SsoEnforcement(enforced, actorId, ip), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Login.Api audits the change with its diff and emails every Account Manager; a failure means the change must not be saved.</summary>
    /// <param name="metadataRefresh">The automatic refresh of the IdP metadata URL made the change, no person (<paramref name="actorId"/> unused).</param>
    public async Task RecordSettingsChangeAsync(string account, Guid actorId, IReadOnlyList<string> changes, string? ip, CancellationToken cancellationToken,
        bool metadataRefresh = false)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.SettingsChangesPath(account),
            new SsoSettingsChange(actorId, [.. changes], ip, metadataRefresh), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The IdP identity of the session the ticket stands for, once; null for an unknown, used or expired ticket.</summary>
    public async Task<SsoLogoutTicket?> RedeemLogoutTicketAsync(string ticket, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.LogoutTicketPath(ticket), new { }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<SsoLogoutTicket>(cancellationToken);
    }

    /// <summary>Ends every session of the identity (IdP-initiated single logout); Login.Api audits how many.</summary>
    public async Task<int> EndIdentitySessionsAsync(SsoIdpLogout logout, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.LogoutsPath, logout, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SsoIdpLogoutResult>(cancellationToken))?.Ended ?? 0;
    }

    public async Task RecordLogoutEventAsync(SsoLogoutEvent logoutEvent, CancellationToken cancellationToken)
    {
        using var response = await SendInternalAsync(HttpMethod.Post, SsoBridge.LogoutEventsPath, logoutEvent, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The caller's session, asking Login.Api with the caller's own session cookie; null when not signed in.</summary>
    public async Task<SessionInfo?> GetSessionAsync(string cookieName, string cookieValue, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/session");
        request.Headers.Add("Cookie", $"{cookieName}={cookieValue}");
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<SessionInfo>(cancellationToken);
    }
}
