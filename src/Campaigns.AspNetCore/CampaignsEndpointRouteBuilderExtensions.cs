using Campaigns;
using Campaigns.AspNetCore;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Channels.Dev;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Campaigns.Tenants;
using Campaigns.Validation;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// In ASP.NET Core's builder namespace so MapCampaignsApi is found without an extra using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Mounts the Campaigns HTTP API (<c>API.md</c>).</summary>
public static partial class CampaignsEndpointRouteBuilderExtensions
{
    /// <summary>Registers what the API needs: its options (who may call) and JSON settings.</summary>
    public static IServiceCollection AddCampaignsApi(this IServiceCollection services, Action<CampaignsApiOptions>? configure = null)
    {
        var options = services.AddOptions<CampaignsApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddProblemDetails();
        return services;
    }

    /// <summary>
    /// Maps <c>/health</c> and every route under <c>/api/v1/tenants/{tenantId}</c>. Returns the
    /// tenant group so the host can chain its own policies (authorization, rate limiting).
    /// The dev channel routes are mapped only in the Development environment.
    /// </summary>
    public static RouteGroupBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Ok(new { status = "ready" }));

        var tenant = app.MapGroup("/api/v1/tenants/{tenantId}")
            .AddEndpointFilter<ProblemFilter>()
            .AddEndpointFilter<TenantAccessFilter>();

        tenant.MapPut("/", PutTenant);
        tenant.MapGet("/", async (HttpContext http, CampaignsClient c) =>
            await c.GetTenantAsync(Tenant(http)) is { } t ? Results.Ok(ApiViews.Tenant(t)) : TenantAccessFilter.NotFound());

        tenant.MapPost("/keys", async (HttpContext http, CampaignsClient c) =>
        {
            var errors = new ValidationErrors();
            var body = http.Request.ContentLength > 0 ? await ApiJson.ReadAsync(http.Request, errors) : null;
            var name = body?.String("name");
            errors.ThrowIfAny();
            var key = await c.IssueApiKeyAsync(Tenant(http), name ?? "api key");
            return Results.Created($"{http.Request.Path}/{key.KeyId}", new { keyId = key.KeyId, name = key.Name, key = key.Key, createdAt = key.CreatedAt });
        });
        tenant.MapGet("/keys", async (HttpContext http, CampaignsClient c) =>
            Results.Ok(new { items = (await c.ListApiKeysAsync(Tenant(http))).Select(k => new { keyId = k.KeyId, name = k.Name, createdAt = k.CreatedAt, revokedAt = k.RevokedAt }) }));
        tenant.MapDelete("/keys/{keyId}", async (HttpContext http, string keyId, CampaignsClient c) =>
            await c.RevokeApiKeyAsync(Tenant(http), keyId) ? Results.Ok(new { keyId, revoked = true }) : TenantAccessFilter.NotFound());

        tenant.MapPut("/channels/{channel}", PutChannel);
        tenant.MapGet("/channels", async (HttpContext http, CampaignsClient c) =>
            Results.Ok((await c.GetChannelsAsync(Tenant(http))).ToDictionary(k => k.Key.ToName(), k => new { provider = k.Value.Provider, settings = k.Value.Settings })));

        tenant.MapPost("/contacts/imports", async (HttpContext http, string? label, CampaignsClient c) =>
        {
            var result = await c.ImportContactsAsync(Tenant(http), http.Request.Body, label, http.RequestAborted);
            return Results.Ok(new
            {
                importId = result.ImportId,
                created = result.Created,
                updated = result.Updated,
                skipped = result.Skipped,
                errors = result.Errors.Select(e => new { line = e.Line, column = e.Column, message = e.Message }),
            });
        });
        tenant.MapGet("/contacts/{contactId}", async (HttpContext http, string contactId, CampaignsClient c) =>
            await c.GetContactAsync(Tenant(http), contactId) is { } contact ? Results.Ok(ApiViews.Contact(contact, c.Clock.GetUtcNow())) : TenantAccessFilter.NotFound());
        MapContactAndAudienceRoutes(tenant);

        tenant.MapPost("/scripts", PostScript);
        tenant.MapGet("/scripts", async (HttpContext http, CampaignsClient c) =>
            Results.Ok(new { items = (await c.ListScriptsAsync(Tenant(http))).Select(ApiViews.Script) }));
        tenant.MapGet("/scripts/{scriptId}", async (HttpContext http, string scriptId, CampaignsClient c) =>
            await c.GetScriptAsync(Tenant(http), scriptId) is { } s ? Results.Ok(ApiViews.Script(s)) : TenantAccessFilter.NotFound());

        tenant.MapPost("/campaigns", PostCampaign);
        tenant.MapGet("/campaigns", ListCampaigns);
        tenant.MapGet("/campaigns/{campaignId}", async (HttpContext http, string campaignId, CampaignsClient c) =>
            CampaignsClient.IsScheduleId(campaignId)
                ? await c.GetScheduleAsync(Tenant(http), campaignId) is { } schedule ? Results.Ok(ApiViews.Schedule(schedule)) : TenantAccessFilter.NotFound()
                : await c.GetCampaignAsync(Tenant(http), campaignId) is { } d ? Results.Ok(ApiViews.Campaign(d)) : TenantAccessFilter.NotFound());
        tenant.MapPost("/campaigns/{campaignId}/cancel", async (HttpContext http, string campaignId, CampaignsClient c) =>
        {
            await c.CancelCampaignAsync(Tenant(http), campaignId);
            return Results.Ok(new { campaignId, status = CampaignsClient.IsScheduleId(campaignId) ? "ended" : "cancelled" });
        });
        MapScheduleRoutes(tenant);

        MapReportingRoutes(tenant);

        if (app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment() && app.ServiceProvider.GetService<DevOutbox>() is not null)
        {
            MapDevRoutes(tenant.MapGroup("/dev"));
        }

        return tenant;
    }

    private static TenantId Tenant(HttpContext http) => (TenantId)http.Items[TenantAccessFilter.TenantItem]!;

    private static async Task<IResult> PutTenant(HttpContext http, CampaignsClient c)
    {
        var errors = new ValidationErrors();
        var body = await ApiJson.ReadAsync(http.Request, errors);
        var hours = body.Object("sendingHours");
        var intro = body.Object("introScripts");
        var settings = new TenantSettings(
            body.String("displayName", required: true) ?? string.Empty,
            body.String("timeZone", required: true) ?? string.Empty,
            body.String("defaultRegion") ?? "US",
            body.Bool("openBot") ?? false,
            hours is null ? null : new SendingHours(hours.String("start", required: true) ?? string.Empty, hours.String("end", required: true) ?? string.Empty),
            body.String("helpText"),
            intro is null ? null : new IntroScripts(intro.String("webchat"), intro.String("openBotSms")));
        if (!errors.IsEmpty)
        {
            // A field of the wrong JSON type does not hide the settings' own problems: one response names them all.
            errors.AddUnreported((await c.CheckTenantAsync(Tenant(http), settings)).ToDictionary());
            errors.ThrowIfAny();
        }

        var (tenant, created) = await c.PutTenantAsync(Tenant(http), settings);
        return created ? Results.Created(http.Request.Path, ApiViews.Tenant(tenant)) : Results.Ok(ApiViews.Tenant(tenant));
    }

    private static async Task<IResult> PutChannel(HttpContext http, string channel, CampaignsClient c)
    {
        var errors = new ValidationErrors();
        var known = ChannelNames.TryParse(channel, out var kind);
        if (!known)
        {
            errors.Add("channel", $"'{channel}' is not a channel: use sms, email or webchat.");
        }

        var body = await ApiJson.ReadAsync(http.Request, errors);
        var provider = body.String("provider", required: true);
        var settings = body.StringMap("settings") ?? new Dictionary<string, string>();
        if (!errors.IsEmpty)
        {
            errors.AddUnreported((await c.CheckChannelAsync(Tenant(http), known ? kind : null, provider, settings)).Errors.ToDictionary());
            errors.ThrowIfAny();
        }

        await c.SetChannelAsync(Tenant(http), kind, provider!, settings);
        var masked = await c.GetChannelsAsync(Tenant(http));
        return Results.Ok(new { channel, provider = masked[kind].Provider, settings = masked[kind].Settings });
    }

    private static async Task<IResult> PostScript(HttpContext http, CampaignsClient c)
    {
        var errors = new ValidationErrors();
        var body = await ApiJson.ReadAsync(http.Request, errors);
        var steps = body.Array("steps")?.Select(s => new StepDraft(s.String("id"), s.String("kind"), s.String("text"), s.Strings("choices"), s.StringMap("next"))).ToList();
        var draft = new ScriptDraft(body.String("name"), body.String("description"), steps);
        if (!errors.IsEmpty)
        {
            // Shape errors (a field of the wrong JSON type) and content errors are reported together.
            try
            {
                ScriptValidator.Validate("draft", draft);
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

        var script = await c.CreateScriptAsync(Tenant(http), draft);
        return Results.Created($"{http.Request.Path}/{script.ScriptId}", new { scriptId = script.ScriptId, type = script.Type.ToName() });
    }

    private static async Task<IResult> PostCampaign(HttpContext http, CampaignsClient c)
    {
        var errors = new ValidationErrors();
        var body = await ApiJson.ReadAsync(http.Request, errors);
        var name = body.String("name", required: true);
        var description = body.String("description") ?? string.Empty;
        var scriptId = body.String("scriptId", required: true);
        var channelName = body.String("channel", required: true);
        var channel = ChannelKind.Sms;
        if (channelName is not null && !ChannelNames.TryParse(channelName, out channel))
        {
            errors.Add("channel", $"'{channelName}' is not a channel: use sms, email or webchat.");
        }

        Recipients? recipients = null;
        if (body.Object("recipients", required: true) is { } r)
        {
            var subsetName = r.String("subset") ?? "all";
            ImportSubset subset = ImportSubset.All;
            switch (subsetName)
            {
                case "all": break;
                case "created": subset = ImportSubset.Created; break;
                case "updated": subset = ImportSubset.Updated; break;
                case "updatedPhone": subset = ImportSubset.UpdatedPhone; break;
                default: errors.Add("recipients.subset", $"'{subsetName}' is not a subset: use all, created, updated or updatedPhone."); break;
            }

            recipients = new Recipients(r.String("importId"), subset, r.String("audienceId"));
        }

        CampaignSchedule? schedule = null;
        if (body.Object("schedule", required: true) is { } s)
        {
            switch (s.String("kind", required: true))
            {
                case "now": schedule = CampaignSchedule.Now; break;
                case "once": schedule = s.Time("sendAt", required: true) is { } at ? CampaignSchedule.Once(at) : null; break;
                case "recurring": schedule = ReadRecurrence(s, errors, "schedule") is { } recurrence ? CampaignSchedule.Recurring(recurrence) : null; break;
                case { } other: errors.Add("schedule.kind", $"'{other}' is not a schedule kind: use now, once or recurring."); break;
            }
        }

        var duration = body.Int("durationHours") ?? CampaignRequest.DefaultDurationHours;
        var reminderAfter = body.Int("reminderAfterHours");
        var request = new CampaignRequest(name ?? string.Empty, description, scriptId ?? string.Empty, channel, recipients!, schedule!, duration, reminderAfter);
        if (!errors.IsEmpty)
        {
            // A field of the wrong JSON type does not hide an unknown script, import or audience: one response names them all.
            errors.AddUnreported((await c.CheckCampaignAsync(Tenant(http), request)).Errors.ToDictionary());
            errors.ThrowIfAny();
        }

        var campaignId = await c.CreateCampaignAsync(Tenant(http), request);
        return Results.Created($"{http.Request.Path}/{campaignId}", new { campaignId });
    }

    private static async Task<IResult> ListCampaigns(HttpContext http, CampaignsClient c)
    {
        var q = http.Request.Query;
        var errors = new ValidationErrors();
        T Pick<T>(string name, T fallback, params (string Name, T Value)[] values)
        {
            var raw = q[name].ToString();
            if (raw.Length == 0)
            {
                return fallback;
            }

            foreach (var (n, v) in values)
            {
                if (n == raw)
                {
                    return v;
                }
            }

            errors.Add(name, $"'{raw}' is not one of: {string.Join(", ", values.Select(v => v.Name))}.");
            return fallback;
        }

        int Number(string name, int fallback, int min, int max)
        {
            var raw = q[name].ToString();
            if (raw.Length == 0)
            {
                return fallback;
            }

            if (int.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            {
                return n;
            }

            errors.Add(name, $"Must be a whole number from {min} to {max}.");
            return fallback;
        }

        DateOnly? Day(string name)
        {
            var raw = q[name].ToString();
            if (raw.Length == 0)
            {
                return null;
            }

            if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d))
            {
                return d;
            }

            errors.Add(name, $"'{raw}' is not a date (yyyy-MM-dd).");
            return null;
        }

        var category = Pick("category", CampaignCategory.All, ("all", CampaignCategory.All), ("sent", CampaignCategory.Sent), ("inProgress", CampaignCategory.InProgress),
            ("upcoming", CampaignCategory.Upcoming), ("introductory", CampaignCategory.Introductory), ("recurring", CampaignCategory.Recurring));
        var sort = Pick("sort", CampaignSort.LastSent, ("name", CampaignSort.Name), ("type", CampaignSort.Type), ("engagement", CampaignSort.Engagement),
            ("sent", CampaignSort.Sent), ("lastSent", CampaignSort.LastSent));
        var dir = Pick<bool?>("dir", null, ("asc", false), ("desc", true));
        var page = Number("page", 1, 1, int.MaxValue);
        var pageSize = Number("pageSize", 50, 1, 500);
        var from = Day("lastSentFrom");
        var to = Day("lastSentTo");
        if (from is { } f && to is { } t && f > t)
        {
            errors.Add("lastSentTo", "Must not be before lastSentFrom.");
        }

        errors.ThrowIfAny();
        var result = await c.ListCampaignsAsync(Tenant(http), new CampaignListQuery(q["search"].ToString(), category, sort, dir, Page: page, PageSize: pageSize), from, to);
        return Results.Ok(ApiViews.List(result));
    }

    private static void MapDevRoutes(RouteGroupBuilder dev)
    {
        MapConversationDevRoutes(dev);
        dev.MapGet("/outbox", (HttpContext http, string? address, DevOutbox outbox) => Results.Ok(new
        {
            items = outbox.For(Tenant(http), address).Select(m => new
            {
                messageId = m.MessageId,
                campaignId = m.CampaignId,
                channel = m.Channel.ToName(),
                address = m.Address,
                text = m.Text,
                at = m.At,
            }),
        }));
        dev.MapPost("/status", async (HttpContext http, CampaignsClient c) =>
        {
            var errors = new ValidationErrors();
            var body = await ApiJson.ReadAsync(http.Request, errors);
            var messageId = body.String("messageId", required: true);
            var status = body.String("status", required: true);
            if (status is not null and not ("delivered" or "failed"))
            {
                errors.Add("status", $"'{status}' is not a delivery status: use delivered or failed.");
            }

            var reason = body.String("reason");
            errors.ThrowIfAny();
            // The dev channel plays the vendor: its report carries the client reference the message left with.
            var changed = DevMessageIds.TryReadReference(messageId, out var reference)
                && await c.RecordDeliveryAsync(Tenant(http), reference, messageId!, status == "delivered", reason);
            return Results.Ok(new { messageId, status, recorded = changed });
        });
    }
}
