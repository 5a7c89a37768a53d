using System.Text.Json.Nodes;
using AccessPlatform.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Endpoint metadata: the problem+json <c>type</c> URIs (<see cref="PlatformOpenApi.ProblemTypeBase"/> + slug) an
/// endpoint answers with one status; <see cref="PlatformOpenApi"/> writes them into the operation's response.
/// </summary>
public sealed record ProblemTypesMetadata(int StatusCode, string[] Slugs);

/// <summary>
/// One OpenAPI document per service (<c>/openapi/{name}.json</c>, served to the public by the gateway), built from the
/// endpoints' own metadata. Left out, on purpose: <c>/internal/*</c> (never routed by the gateway: the SSO bridge,
/// ops, operator and testing APIs), the health probes, the test-only <c>/testing/*</c> routes and the Razor pages
/// (HTML, not API).
/// </summary>
public static class PlatformOpenApi
{
    public const string ProblemTypeBase = "https://access-platform/problems/";
    public const string SessionScheme = "session";

    /// <summary>Where a service serves its document; the gateway's <c>/openapi/*</c> routes point here.</summary>
    public const string DocumentRoute = "/openapi/{documentName}.json";

    /// <summary>The route list the OpenAPI coverage test compares with the document (<c>Testing:Enabled</c> only).</summary>
    public const string RoutesPath = "/internal/testing/openapi/routes";

    private static readonly string[] ExcludedPrefixes = ["internal", "testing", "health", "alive", "openapi"];

    public static IHostApplicationBuilder AddPlatformOpenApi(this IHostApplicationBuilder builder, string documentName, string title, string description)
    {
        var cookie = SsoBridge.SessionCookieName(builder.Environment.IsDevelopment());
        builder.Services.AddOpenApi(documentName, options =>
        {
            options.ShouldInclude = api => api.RelativePath is { } path && !ExcludedPrefixes.Any(p =>
                path.Equals(p, StringComparison.OrdinalIgnoreCase) || path.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase));
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = title, Version = "v1", Description = description };
                // Relative to the document, i.e. whichever gateway serves it: stable between runs and hosts.
                document.Servers = [new OpenApiServer { Url = "/" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SessionScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Cookie,
                    Name = cookie,
                    Description = "The session cookie that POST /api/auth/login (or a passkey, SSO or second-factor step) sets " +
                        "(`ap_session` in Development, `__Host-ap_session` elsewhere). State-changing calls made with it must come from the " +
                        "platform's own origin as application/json (or without an Origin header, as a script or API client does).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeSecurityAndProblems);
        });
        return builder;
    }

    public static WebApplication MapPlatformOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentRoute);
        if (app.Configuration.GetValue("Testing:Enabled", false))
        {
            app.MapInternalGroup("/internal/testing/openapi").MapGet("/routes", ListRoutes).ExcludeFromDescription();
        }
        return app;
    }

    /// <summary>Declares the problem+json <c>type</c>s (slugs under <see cref="ProblemTypeBase"/>) an endpoint answers with <paramref name="statusCode"/>.</summary>
    public static TBuilder ProducesProblemTypes<TBuilder>(this TBuilder builder, int statusCode, params string[] slugs)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), ["application/problem+json"]),
            new ProblemTypesMetadata(statusCode, slugs));

    /// <summary>Every route of this service, for the coverage test: pattern, methods, and what kind of endpoint it is.</summary>
    private static IResult ListRoutes(IEnumerable<EndpointDataSource> sources) =>
        TypedResults.Ok(sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().Select(e => new RouteListItem(
            e.RoutePattern.RawText ?? "",
            e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? [],
            e.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor>() is Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor,
            e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)).ToArray());

    private static async Task DescribeSecurityAndProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(nameof(ProblemDetails)) != true)
        {
            document.AddComponent(nameof(ProblemDetails), await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        }
        var problem = new OpenApiSchemaReference(nameof(ProblemDetails), document);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var method = context.Description.HttpMethod ?? "GET";
        operation.Responses ??= new OpenApiResponses();
        foreach (var declared in metadata.OfType<ProblemTypesMetadata>().Where(d => d.Slugs.Length > 0))
        {
            DescribeProblem(operation, problem, declared.StatusCode, declared.Slugs);
        }
        var authorized = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        if (authorized)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SessionScheme, context.Document)] = [] }];
            AddProblem(operation, problem, StatusCodes.Status401Unauthorized, "No session, or the session ended.");
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                // CookieApiCsrfGuard: every state-changing call the cookie authenticates.
                DescribeProblem(operation, problem, StatusCodes.Status403Forbidden, ["cross-site-request"]);
            }
        }
        // Postgres or Redis not answering (DependencyUnavailableExceptionHandler), on any route.
        DescribeProblem(operation, problem, StatusCodes.Status503ServiceUnavailable, ["temporarily-unavailable"]);
        // The gateway's per-client budgets cover every route.
        AddProblem(operation, problem, StatusCodes.Status429TooManyRequests, "Too many requests from this network (see Retry-After).");
    }

    private static void AddProblem(OpenApiOperation operation, IOpenApiSchema problem, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = problem },
            },
        };
    }

    /// <summary>The response of <paramref name="status"/> says which <c>type</c> URIs it carries (merged with any already there).</summary>
    private static void DescribeProblem(OpenApiOperation operation, IOpenApiSchema problem, int status, string[] slugs)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AddProblem(operation, problem, status, "");
        if (operation.Responses![key] is not OpenApiResponse response)
        {
            return;
        }
        var types = new SortedSet<string>(StringComparer.Ordinal);
        response.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        if (response.Extensions.TryGetValue("x-problem-types", out var existing) && existing is JsonNodeExtension { Node: JsonArray known })
        {
            types.UnionWith(known.Select(n => n!.GetValue<string>()));
        }
        types.UnionWith(slugs.Select(s => ProblemTypeBase + s));
        response.Extensions["x-problem-types"] = new JsonNodeExtension(new JsonArray([.. types.Select(t => (JsonNode)t)]));
        response.Description = "Problem types: " + string.Join(", ", types) + ".";
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new()
            {
                Schema = new OpenApiSchema
                {
                    AllOf =
                    [
                        problem,
                        new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. types.Select(t => (JsonNode)t)] },
                            },
                        },
                    ],
                },
            },
        };
    }
}

/// <param name="IsPage">A Razor page (HTML, not part of the API).</param>
public sealed record RouteListItem(string Pattern, string[] Methods, bool IsPage, bool ExcludedFromDescription);
