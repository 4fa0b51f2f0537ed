using Campaigns.Campaigns;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Campaigns.Tenants;

namespace Campaigns.AspNetCore;

/// <summary>The JSON shapes of <c>API.md</c>.</summary>
internal static class ApiViews
{
    public static object Tenant(Tenant t) => new
    {
        tenantId = t.TenantId.Value,
        displayName = t.Settings.DisplayName,
        timeZone = t.Settings.TimeZone,
        defaultRegion = t.Settings.DefaultRegion,
        openBot = t.Settings.OpenBot,
        sendingHours = new { start = t.Settings.EffectiveSendingHours.Start, end = t.Settings.EffectiveSendingHours.End },
        helpText = t.Settings.HelpText,
        introScripts = new { webchat = t.Settings.IntroScripts?.Webchat, openBotSms = t.Settings.IntroScripts?.OpenBotSms },
        createdAt = t.CreatedAt,
    };

    public static object Script(Script s) => new
    {
        scriptId = s.ScriptId,
        name = s.Name,
        description = s.Description,
        type = s.Type.ToName(),
        steps = s.Steps.Select(step => new { id = step.Id, kind = step.Kind.ToName(), text = step.Text, choices = step.Choices, next = step.Next }),
    };

    /// <summary>A contact as of <paramref name="now"/>: a pause whose resume time has passed reads as opted in.</summary>
    public static object Contact(Contact c, DateTimeOffset now) => new
    {
        contactId = c.ContactId,
        firstName = c.FirstName,
        lastName = c.LastName,
        phone = c.Phone,
        email = c.Email,
        timeZone = c.TimeZone,
        externalId = c.ExternalId,
        fields = c.Fields,
        labels = c.Labels,
        channels = Enum.GetValues<Channels.ChannelKind>().ToDictionary(Channels.ChannelNames.ToName, k => Status(c.StatusOn(k, now))),
        pausedUntil = Enum.GetValues<Channels.ChannelKind>()
            .Where(k => c.StatusOn(k, now) == ChannelStatus.Paused && c.PausedUntilOn(k) is not null)
            .ToDictionary(Channels.ChannelNames.ToName, k => c.PausedUntilOn(k)),
        archived = c.Archived,
        invalidPhone = c.InvalidPhone,
        consecutiveFailures = c.ConsecutiveFailures,
    };

    public static object Audience(Audience a) => new
    {
        audienceId = a.AudienceId,
        name = a.Name,
        rules = a.Rules.Select(r => new { field = r.Field, op = r.Op.ToName(), value = r.Value }),
        createdAt = a.CreatedAt,
    };

    public static object Import(ImportSummary i) => new
    {
        importId = i.ImportId,
        label = i.Label,
        at = i.At,
        created = i.Created,
        updated = i.Updated,
        skipped = i.Skipped,
    };

    private static string Status(ChannelStatus status) => status switch
    {
        ChannelStatus.Paused => "paused",
        ChannelStatus.OptedOut => "optedOut",
        _ => "optedIn",
    };

    public static Dictionary<string, object?> Row(CampaignRow r) => new()
    {
        ["campaignId"] = r.CampaignId,
        ["scheduleId"] = r.ScheduleId,
        ["name"] = r.Name,
        ["description"] = r.Description,
        ["isRecurring"] = r.IsRecurring,
        ["type"] = r.Type.ToName(),
        ["engagement"] = r.Engagement,
        ["sent"] = r.Sent,
        ["lastSent"] = r.LastSent,
        ["isUpcoming"] = r.IsUpcoming,
        ["status"] = StatusName(r.Status),
    };

    public static string StatusName(CampaignStatus status) => status switch
    {
        CampaignStatus.Scheduled => "scheduled",
        CampaignStatus.Sending => "sending",
        CampaignStatus.Sent => "sent",
        _ => "cancelled",
    };

    public static Dictionary<string, object?> Campaign(CampaignDetails d)
    {
        var view = Row(d.Row);
        var request = d.Request;
        view["scriptId"] = request.ScriptId;
        view["channel"] = Channels.ChannelNames.ToName(request.Channel);
        view["recipients"] = request.Recipients.AudienceId is { } audienceId
            ? new { audienceId }
            : new { importId = request.Recipients.ImportId, subset = Subset(request.Recipients.Subset) };
        view["schedule"] = Schedule(request.Schedule);
        view["durationHours"] = request.DurationHours;
        view["reminderAfterHours"] = request.ReminderAfterHours;
        view["skipped"] = d.Skipped;
        view["delivered"] = d.Delivered;
        view["failed"] = d.Failed;
        return view;
    }

    public static object Schedule(CampaignSchedule schedule) => schedule switch
    {
        { Kind: ScheduleKind.Once } => new { kind = "once", sendAt = schedule.SendAt },
        { Kind: ScheduleKind.Recurring, Recurrence: { } r } => new Dictionary<string, object?>
        {
            ["kind"] = "recurring",
            ["frequency"] = r.Frequency is { } f ? f.ToString().ToLowerInvariant() : null,
            ["rrule"] = r.RRule,
            ["startAt"] = r.StartAt,
            ["timeZone"] = r.TimeZone,
            ["endDate"] = r.EndDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["allowRepeatRecipients"] = r.AllowRepeatRecipients,
        },
        _ => new { kind = "now" },
    };

    /// <summary>A recurring schedule: <c>status</c> active|ended, <c>nextSend</c>, <c>instances</c>.</summary>
    public static Dictionary<string, object?> Schedule(ScheduleDetails d) => new()
    {
        ["campaignId"] = d.ScheduleId,
        ["scheduleId"] = d.ScheduleId,
        ["name"] = d.Request.Name,
        ["description"] = d.Request.Description,
        ["isRecurring"] = true,
        ["type"] = d.Type.ToName(),
        ["status"] = d.Status == ScheduleStatus.Active ? "active" : "ended",
        ["paused"] = d.Paused,
        ["nextSend"] = d.NextSend,
        ["nextCampaignId"] = d.NextCampaignId,
        ["instances"] = d.Instances.Select(i => new { campaignId = i.CampaignId, sendAt = i.At, status = i.Outcome.ToString().ToLowerInvariant() }),
        ["scriptId"] = d.Request.ScriptId,
        ["channel"] = Channels.ChannelNames.ToName(d.Request.Channel),
        ["recipients"] = d.Request.Recipients.AudienceId is { } audienceId
            ? new { audienceId }
            : new { importId = d.Request.Recipients.ImportId, subset = Subset(d.Request.Recipients.Subset) },
        ["schedule"] = Schedule(d.Request.Schedule),
        ["durationHours"] = d.Request.DurationHours,
        ["createdAt"] = d.CreatedAt,
    };

    public static string Subset(ImportSubset subset) => subset switch
    {
        ImportSubset.Created => "created",
        ImportSubset.Updated => "updated",
        ImportSubset.UpdatedPhone => "updatedPhone",
        _ => "all",
    };

    public static object List(CampaignListPage page) => new
    {
        total = page.Total,
        items = page.Items.Select(Row),
        counts = new
        {
            all = page.Counts.All,
            sent = page.Counts.Sent,
            inProgress = page.Counts.InProgress,
            upcoming = page.Counts.Upcoming,
            introductory = page.Counts.Introductory,
            recurring = page.Counts.Recurring,
        },
        showInProgress = page.ShowInProgress,
        showIntroductory = page.ShowIntroductory,
    };
}
