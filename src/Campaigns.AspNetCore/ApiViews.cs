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

    public static object Contact(Contact c) => new
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
        channels = Enum.GetValues<Channels.ChannelKind>().ToDictionary(Channels.ChannelNames.ToName, k => Status(c.StatusOn(k))),
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
        view["schedule"] = request.Schedule.Kind == ScheduleKind.Once
            ? new { kind = "once", sendAt = request.Schedule.SendAt }
            : (object)new { kind = "now" };
        view["durationHours"] = request.DurationHours;
        view["reminderAfterHours"] = request.ReminderAfterHours;
        view["skipped"] = d.Skipped;
        view["delivered"] = d.Delivered;
        view["failed"] = d.Failed;
        return view;
    }

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
