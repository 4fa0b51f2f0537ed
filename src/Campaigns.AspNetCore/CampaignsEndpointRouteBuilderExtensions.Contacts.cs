using System.Globalization;
using Campaigns;
using Campaigns.AspNetCore;
using Campaigns.Contacts;
using Campaigns.Validation;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

public static partial class CampaignsEndpointRouteBuilderExtensions
{
    /// <summary>Archiving contacts, import records and audiences (<c>API.md</c> "Audiences"; the rest is documented in <c>docs/contacts.md</c>).</summary>
    private static void MapContactAndAudienceRoutes(RouteGroupBuilder tenant)
    {
        tenant.MapPost("/contacts/{contactId}/archive", (HttpContext http, string contactId, CampaignsClient c) => SetArchived(http, contactId, true, c));
        tenant.MapPost("/contacts/{contactId}/unarchive", (HttpContext http, string contactId, CampaignsClient c) => SetArchived(http, contactId, false, c));
        tenant.MapGet("/contacts/imports/{importId}", async (HttpContext http, string importId, CampaignsClient c) =>
            await c.GetImportAsync(Tenant(http), importId, http.RequestAborted) is { } import ? Results.Ok(ApiViews.Import(import)) : TenantAccessFilter.NotFound());

        tenant.MapPost("/audiences", PostAudience);
        tenant.MapGet("/audiences", async (HttpContext http, CampaignsClient c) =>
            Results.Ok(new { items = (await c.ListAudiencesAsync(Tenant(http), http.RequestAborted)).Select(ApiViews.Audience) }));
        tenant.MapGet("/audiences/{audienceId}", async (HttpContext http, string audienceId, CampaignsClient c) =>
            await c.GetAudienceAsync(Tenant(http), audienceId, http.RequestAborted) is { } a ? Results.Ok(ApiViews.Audience(a)) : TenantAccessFilter.NotFound());
        tenant.MapGet("/audiences/{audienceId}/members", AudienceMembers);
    }

    private static async Task<IResult> SetArchived(HttpContext http, string contactId, bool archived, CampaignsClient c) =>
        await c.SetContactArchivedAsync(Tenant(http), contactId, archived, http.RequestAborted) is { } contact
            ? Results.Ok(ApiViews.Contact(contact, c.Clock.GetUtcNow()))
            : TenantAccessFilter.NotFound();

    private static async Task<IResult> PostAudience(HttpContext http, CampaignsClient c)
    {
        var errors = new ValidationErrors();
        var body = await ApiJson.ReadAsync(http.Request, errors);
        var rules = body.Array("rules")?.Select(r => new AudienceRuleDraft(r.String("field"), r.String("op"), r.Scalar("value"))).ToList();
        var draft = new AudienceDraft(body.String("name"), rules);
        if (!errors.IsEmpty)
        {
            // Shape errors (a field of the wrong JSON type) and content errors are reported together.
            var region = (await c.GetTenantAsync(Tenant(http)))?.Settings.DefaultRegion ?? "US";
            try
            {
                AudienceValidator.Validate("draft", draft, region, default);
            }
            catch (CampaignsValidationException content)
            {
                foreach (var (field, messages) in content.Errors)
                {
                    foreach (var message in messages)
                    {
                        errors.Add(field, message);
                    }
                }
            }

            errors.ThrowIfAny();
        }

        var audience = await c.CreateAudienceAsync(Tenant(http), draft, http.RequestAborted);
        return Results.Created($"{http.Request.Path}/{audience.AudienceId}", new { audienceId = audience.AudienceId });
    }

    private static async Task<IResult> AudienceMembers(HttpContext http, string audienceId, CampaignsClient c)
    {
        var errors = new ValidationErrors();
        int Number(string name, int fallback, int max)
        {
            var raw = http.Request.Query[name].ToString();
            if (raw.Length == 0)
            {
                return fallback;
            }

            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max)
            {
                return n;
            }

            errors.Add(name, $"Must be a whole number from 1 to {max}.");
            return fallback;
        }

        var page = Number("page", 1, int.MaxValue);
        var pageSize = Number("pageSize", 50, CampaignsClient.MaxMembersPageSize);
        errors.ThrowIfAny();
        var now = c.Clock.GetUtcNow();
        return await c.GetAudienceMembersAsync(Tenant(http), audienceId, page, pageSize, http.RequestAborted) is { } members
            ? Results.Ok(new { total = members.Total, page, pageSize, items = members.Items.Select(m => ApiViews.Contact(m, now)) })
            : TenantAccessFilter.NotFound();
    }
}
