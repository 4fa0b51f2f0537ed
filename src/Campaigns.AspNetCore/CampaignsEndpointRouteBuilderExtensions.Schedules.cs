using System.Globalization;
using Campaigns;
using Campaigns.AspNetCore;
using Campaigns.Campaigns;
using Campaigns.Validation;

namespace Microsoft.AspNetCore.Builder;

// Recurring schedules: the preview, pause, resume and edit routes (create, read and cancel share the campaign routes).
public static partial class CampaignsEndpointRouteBuilderExtensions
{
    private static void MapScheduleRoutes(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/schedules/preview", PreviewSchedule);
        tenant.MapPost("/campaigns/{scheduleId}/pause", async (HttpContext http, string scheduleId, CampaignsClient c) =>
        {
            await c.PauseScheduleAsync(Tenant(http), scheduleId);
            return await ScheduleResult(http, c, scheduleId);
        });
        tenant.MapPost("/campaigns/{scheduleId}/resume", async (HttpContext http, string scheduleId, CampaignsClient c) =>
        {
            await c.ResumeScheduleAsync(Tenant(http), scheduleId);
            return await ScheduleResult(http, c, scheduleId);
        });
        tenant.MapPut("/campaigns/{scheduleId}/schedule", async (HttpContext http, string scheduleId, CampaignsClient c) =>
        {
            var errors = new ValidationErrors();
            var body = await ApiJson.ReadAsync(http.Request, errors);
            var recurrence = ReadRecurrence(body, errors, string.Empty);
            if (!errors.IsEmpty)
            {
                if (recurrence is not null)
                {
                    errors.AddUnreported(Unprefixed(c.CheckRule(recurrence).ToDictionary()));
                }

                errors.ThrowIfAny();
            }

            try
            {
                return Results.Ok(ApiViews.Schedule(await c.EditScheduleAsync(Tenant(http), scheduleId, recurrence!)));
            }
            catch (CampaignsValidationException ex)
            {
                throw Unprefixed(ex);
            }
        });
    }

    private static async Task<IResult> ScheduleResult(HttpContext http, CampaignsClient c, string scheduleId) =>
        await c.GetScheduleAsync(Tenant(http), scheduleId) is { } schedule ? Results.Ok(ApiViews.Schedule(schedule)) : TenantAccessFilter.NotFound();

    private static async Task<IResult> PreviewSchedule(HttpContext http, CampaignsClient c)
    {
        var q = http.Request.Query;
        var errors = new ValidationErrors();
        string? Text(string name) => q[name].ToString() is { Length: > 0 } v ? v : null;

        RecurrenceFrequency? frequency = null;
        if (Text("frequency") is { } f)
        {
            frequency = ParseFrequency(f, "frequency", errors);
        }

        DateTimeOffset startAt = default;
        if (Text("startAt") is not { } start)
        {
            errors.Add("startAt", "This field is required.");
        }
        else if (!TryParseInstant(start, out startAt))
        {
            errors.Add("startAt", $"'{start}' is not an ISO-8601 time with an offset.");
        }

        DateOnly? endDate = null;
        if (Text("endDate") is { } end)
        {
            endDate = DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
            if (endDate is null)
            {
                errors.Add("endDate", $"'{end}' is not a date (yyyy-MM-dd).");
            }
        }

        var count = 10;
        if (Text("count") is { } countText && !int.TryParse(countText, NumberStyles.Integer, CultureInfo.InvariantCulture, out count))
        {
            errors.Add("count", "Must be a whole number from 1 to 100.");
            count = 10;
        }

        if (!errors.IsEmpty)
        {
            // Report the rule's own problems in the same response.
            var rule = new ValidationErrors();
            Campaigns.Scheduling.RecurrenceRules.Validate(new Recurrence(frequency, Text("rrule"), DateTimeOffset.MinValue, Text("timeZone") ?? "Etc/UTC"), rule, string.Empty);
            errors.AddUnreported(rule.ToDictionary());
            errors.ThrowIfAny();
        }

        var recurrence = new Recurrence(frequency, Text("rrule"), startAt, Text("timeZone") ?? string.Empty, endDate);
        try
        {
            var occurrences = await c.PreviewScheduleAsync(Tenant(http), recurrence, count);
            return Results.Ok(new { occurrences });
        }
        catch (CampaignsValidationException ex)
        {
            throw Unprefixed(ex);
        }
    }

    // The facade names rule fields under "schedule."; the query string and the edit body name them bare.
    private static CampaignsValidationException Unprefixed(CampaignsValidationException ex) => new(Unprefixed(ex.Errors));

    private static Dictionary<string, string[]> Unprefixed(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key.StartsWith("schedule.", StringComparison.Ordinal) ? e.Key["schedule.".Length..] : e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>
    /// Reads <c>{frequency|rrule, startAt, timeZone, endDate?, allowRepeatRecipients?}</c> (fields named
    /// under <paramref name="prefix"/>); null when a required part is missing, after checking the rest.
    /// </summary>
    private static Recurrence? ReadRecurrence(ApiJson s, ValidationErrors errors, string prefix)
    {
        var at = prefix.Length == 0 ? string.Empty : prefix + ".";
        var frequencyText = s.String("frequency");
        var frequency = frequencyText is null ? (RecurrenceFrequency?)null : ParseFrequency(frequencyText, at + "frequency", errors);
        var rrule = s.String("rrule");
        var startAt = s.Time("startAt", required: true);
        var timeZone = s.String("timeZone", required: true);
        DateOnly? endDate = null;
        if (s.String("endDate") is { } end)
        {
            endDate = DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
            if (endDate is null)
            {
                errors.Add(at + "endDate", $"'{end}' is not a date (yyyy-MM-dd).");
            }
        }

        var allowRepeat = s.Bool("allowRepeatRecipients") ?? true;
        if (startAt is { } start && timeZone is not null)
        {
            return new Recurrence(frequency, rrule, start, timeZone, endDate, allowRepeat);
        }

        // Something required is missing: still name the rule's own problems in the same response
        // (an unreadable frequency is reported once, as read, not again as missing).
        var rule = new ValidationErrors();
        Campaigns.Scheduling.RecurrenceRules.Validate(new Recurrence(frequency, rrule, startAt ?? DateTimeOffset.MinValue, timeZone ?? "Etc/UTC"), rule, prefix);
        errors.AddUnreported(rule.ToDictionary());
        return null;
    }

    private static RecurrenceFrequency? ParseFrequency(string text, string field, ValidationErrors errors)
    {
        switch (text)
        {
            case "daily": return RecurrenceFrequency.Daily;
            case "weekly": return RecurrenceFrequency.Weekly;
            case "monthly": return RecurrenceFrequency.Monthly;
            default:
                errors.Add(field, $"'{text}' is not a frequency: use daily, weekly or monthly (or an rrule).");
                return null;
        }
    }

    private static bool TryParseInstant(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at)
        && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9);
}
