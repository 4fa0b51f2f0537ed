using System.Globalization;
using System.Text;
using Campaigns;
using Campaigns.AspNetCore;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Reporting;
using Campaigns.Scripts;
using Campaigns.Validation;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The reporting routes: insights, CSV export, introductory reports, recompute and rebuild.</summary>
public static partial class CampaignsEndpointRouteBuilderExtensions
{
    private static void MapReportingRoutes(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/campaigns/{campaignId}/insights", async (HttpContext http, string campaignId, string? audienceId, CampaignsClient c) =>
            await c.GetInsightsAsync(Tenant(http), campaignId, EmptyAsNull(audienceId), http.RequestAborted) is { } insights
                ? Results.Ok(Insights(insights))
                : TenantAccessFilter.NotFound());

        tenant.MapGet("/campaigns/{campaignId}/export.csv", async (HttpContext http, string campaignId, string? audienceId, CampaignsClient c) =>
            await c.OpenExportAsync(Tenant(http), campaignId, EmptyAsNull(audienceId)) is { } export
                ? new CsvExportResult(export)
                : TenantAccessFilter.NotFound());

        tenant.MapGet("/reports/introductory", async (HttpContext http, CampaignsClient c) =>
        {
            var errors = new ValidationErrors();
            var from = Day(http, "from", errors);
            var to = Day(http, "to", errors);
            errors.ThrowIfAny();
            var reports = await c.GetIntroductoryReportsAsync(Tenant(http), from, to, http.RequestAborted);
            return Results.Ok(new
            {
                from,
                to,
                items = reports.Select(r => new { trigger = r.Trigger.ToName(), scriptId = r.ScriptId, introduced = r.Introduced, responded = r.Responded, engagement = r.Engagement }),
            });
        });

        tenant.MapPost("/campaigns/{campaignId}/recompute", async (HttpContext http, string campaignId, CampaignsClient c) =>
            await c.RecomputeCampaignAsync(Tenant(http), campaignId) is { } row ? Results.Ok(ApiViews.Row(row)) : TenantAccessFilter.NotFound());

        tenant.MapPost("/reports/rebuild", async (HttpContext http, CampaignsClient c) =>
        {
            var rebuilt = await c.RebuildCampaignListAsync(Tenant(http), http.RequestAborted);
            return Results.Ok(new { rows = rebuilt.Rows, changed = rebuilt.Changed });
        });
    }

    private static string? EmptyAsNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static DateOnly? Day(HttpContext http, string name, ValidationErrors errors)
    {
        var raw = http.Request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors.Add(name, $"'{raw}' is not a date (yyyy-MM-dd).");
        return null;
    }

    private static object Insights(CampaignInsights i) => new
    {
        campaignId = i.CampaignId,
        name = i.Name,
        scriptId = i.ScriptId,
        type = i.Type.ToName(),
        open = i.Open,
        trigger = i.Trigger,
        durationHours = i.DurationHours,
        recipients = i.Recipients is { } r
            ? r.AudienceId is { } audienceId ? new { audienceId } : (object)new { importId = r.ImportId, subset = ApiViews.Subset(r.Subset) }
            : new { introductory = i.IntroTrigger?.ToName() },
        channel = i.Channel.ToName(),
        sent = i.Sent,
        delivered = i.Delivered,
        failed = i.Failed,
        skipped = i.Skipped,
        waiting = i.Waiting,
        responded = i.Responded,
        engagement = i.Engagement,
        optedOut = i.OptedOut,
        paused = i.Paused,
        invalidResponses = i.InvalidResponses,
        failures = i.Failures.Select(f => new { reason = f.Reason, count = f.Count }),
        skippedReasons = i.SkippedReasons.Select(f => new { reason = f.Reason, count = f.Count }),
        questions = i.Questions.Select(q => new
        {
            stepId = q.StepId,
            text = q.Text,
            kind = q.Kind.ToName(),
            answers = q.Answers.Select(a => new { answer = a.Answer, count = a.Count }),
            invalid = q.Invalid,
        }),
        audienceId = i.AudienceId,
    };

    /// <summary>Streams an export straight to the response: a page of rows is written and flushed at a time.</summary>
    private sealed class CsvExportResult(CampaignExport export) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = "text/csv; charset=utf-8";
            response.Headers.ContentDisposition = $"attachment; filename=\"{export.CampaignId}.csv\"";
            await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024, leaveOpen: true);
            await export.WriteCsvAsync(writer, httpContext.RequestAborted);
        }
    }
}
