using Campaigns.Validation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Campaigns.AspNetCore;

/// <summary>
/// Decides whether the caller may act for the tenant in the route: a live tenant API key
/// (<c>Authorization: Bearer</c>), a signed-in user the host maps to the tenant, or, in
/// Development only and when allowed, an anonymous caller. No identity: 401; the wrong tenant: 404.
/// </summary>
internal sealed class TenantAccessFilter(CampaignsClient campaigns, IOptions<CampaignsApiOptions> options, IHostEnvironment environment) : IEndpointFilter
{
    internal const string TenantItem = "campaigns.tenant";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var raw = http.GetRouteValue("tenantId") as string;
        if (!TenantId.TryParse(raw, out var tenant))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["tenantId"] = [$"'{raw}' is not a valid tenant id: use [a-z0-9][a-z0-9-]{{0,62}}."] });
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var key = header["Bearer ".Length..].Trim();
            if (await campaigns.VerifyApiKeyAsync(tenant, key))
            {
                return await Allowed(context, next, tenant);
            }

            // A live key of another tenant is an identity without access to this one: never reveal the tenant exists.
            return KeyTenant(key) is { } other && other != tenant && await campaigns.VerifyApiKeyAsync(other, key)
                ? NotFound()
                : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The API key is not valid or was revoked.");
        }

        if (http.User.Identity?.IsAuthenticated == true)
        {
            return options.Value.UserMayActFor?.Invoke(http.User, tenant) == true ? await Allowed(context, next, tenant) : NotFound();
        }

        if (options.Value.AllowAnonymousInDevelopment && environment.IsDevelopment())
        {
            return await Allowed(context, next, tenant);
        }

        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in, or send a tenant API key as 'Authorization: Bearer <key>'.");
    }

    private static async ValueTask<object?> Allowed(EndpointFilterInvocationContext context, EndpointFilterDelegate next, TenantId tenant)
    {
        context.HttpContext.Items[TenantItem] = tenant;
        return await next(context);
    }

    private static TenantId? KeyTenant(string key)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        return key.StartsWith("cmpk_", StringComparison.Ordinal) && dot > 5 && TenantId.TryParse(key[5..dot], out var t) ? t : null;
    }

    internal static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}

/// <summary>Turns the SDK's exceptions into RFC 7807 problems.</summary>
internal sealed class ProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (CampaignsValidationException ex)
        {
            return Results.ValidationProblem(ex.Errors.ToDictionary(e => e.Key, e => e.Value), title: "The request is not valid.");
        }
        catch (Exception ex) when (ex is NotFoundException or TenantMismatchException)
        {
            return TenantAccessFilter.NotFound();
        }
        catch (ConflictException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: ex.Message);
        }
    }
}
