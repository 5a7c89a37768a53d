namespace AccessPlatform.AdminUi;

/// <summary>What differs between the services rendering the shared admin layout.</summary>
public sealed class AdminUiOptions
{
    /// <summary>
    /// Where the layout's language selector posts, in the service that rendered the page: its antiforgery token is that
    /// service's, so the post must go back to it (Login.Api: <c>/language</c>; Sso.Api: its own page's handler).
    /// </summary>
    public string LanguageAction { get; set; } = "/language";
}
