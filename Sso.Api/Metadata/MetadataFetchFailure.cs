namespace AccessPlatform.Sso.Metadata;

/// <summary>
/// Why a metadata fetch failed: the stored error, the metric's <c>reason</c> tag and the settings page's text
/// (resource <c>Meta_Error_{code}</c>). Codes, never the remote document or its addresses.
/// </summary>
public static class MetadataFetchFailure
{
    public const string ForbiddenAddress = "forbidden-address";
    public const string Unreachable = "unreachable";
    public const string Timeout = "timeout";
    public const string HttpStatus = "http-status";
    public const string Redirect = "redirect";
    public const string TooLarge = "too-large";
    public const string InvalidMetadata = "invalid-metadata";

    public static readonly string[] All = [ForbiddenAddress, Unreachable, Timeout, HttpStatus, Redirect, TooLarge, InvalidMetadata];
}

/// <summary>A fetch that failed for <see cref="Reason"/> (one of <see cref="MetadataFetchFailure"/>).</summary>
public sealed class MetadataFetchException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Reason { get; } = reason;
}
