using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Malformed, wrong-typed, empty or oversized bodies are the client's mistake, not our fault: they answer their
/// 4xx as problem+json and are logged at Information (method, path, status; never the body), so the error log and
/// any alert on it keep meaning "something of ours broke". Handling it here also keeps the exception handler
/// middleware from logging it as "An unhandled exception has occurred".
/// </summary>
public sealed partial class ClientErrorExceptionHandler(IProblemDetailsService problems, ILogger<ClientErrorExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted)
        {
            return false;
        }
        LogClientError(logger, http.Request.Method, http.Request.Path, bad.StatusCode);
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = ReasonPhrases.GetReasonPhrase(bad.StatusCode),
                Detail = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                    StatusCodes.Status415UnsupportedMediaType => "This endpoint does not accept that content type.",
                    _ => "The request could not be read: check that the body is well-formed and has the expected fields and types.",
                },
            },
        });
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Bad request {Method} {Path}: {StatusCode}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int statusCode);
}
