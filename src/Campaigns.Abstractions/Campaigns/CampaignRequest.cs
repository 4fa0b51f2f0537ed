using Campaigns.Channels;
using Campaigns.Contacts;

namespace Campaigns.Campaigns;

/// <summary>
/// A campaign as a host asks for it: one send of a script to an import or audience over one channel.
/// <see cref="DurationHours"/> is how long after sending replies belong to it; <see cref="ReminderAfterHours"/>
/// (optional, interactive scripts only, shorter than the duration) asks contacts whose question is
/// still unanswered that long after the send again, once.
/// </summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignRequest")]
public sealed record CampaignRequest(
    string Name,
    string Description,
    string ScriptId,
    ChannelKind Channel,
    Recipients Recipients,
    CampaignSchedule Schedule,
    int DurationHours = CampaignRequest.DefaultDurationHours,
    int? ReminderAfterHours = null)
{
    /// <summary>How long after sending replies belong to the campaign, unless given: 72 hours.</summary>
    public const int DefaultDurationHours = 72;
}

/// <summary>Who a campaign reaches: an import (or a subset of it), or an audience evaluated when it sends.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.Recipients")]
public sealed record Recipients(string? ImportId, ImportSubset Subset = ImportSubset.All, string? AudienceId = null);

/// <summary>When a campaign sends.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignSchedule")]
public sealed record CampaignSchedule(ScheduleKind Kind, DateTimeOffset? SendAt = null, Recurrence? Recurrence = null)
{
    /// <summary>Send as soon as it is created.</summary>
    public static CampaignSchedule Now { get; } = new(ScheduleKind.Now);

    /// <summary>Send once at a time.</summary>
    public static CampaignSchedule Once(DateTimeOffset sendAt) => new(ScheduleKind.Once, sendAt);

    /// <summary>Send on a recurring schedule: each send is an instance of its own.</summary>
    public static CampaignSchedule Recurring(Recurrence recurrence) => new(ScheduleKind.Recurring, Recurrence: recurrence);
}

/// <summary>The kinds of schedule.</summary>
public enum ScheduleKind
{
    /// <summary>Send now.</summary>
    Now,

    /// <summary>Send once at <see cref="CampaignSchedule.SendAt"/>.</summary>
    Once,

    /// <summary>Send on the <see cref="CampaignSchedule.Recurrence"/>: every send is an instance with its own campaign id.</summary>
    Recurring,
}

/// <summary>Where a campaign is in its life.</summary>
public enum CampaignStatus
{
    /// <summary>Waiting for its send time.</summary>
    Scheduled,

    /// <summary>Messages are leaving.</summary>
    Sending,

    /// <summary>Every recipient was sent to or skipped.</summary>
    Sent,

    /// <summary>Cancelled before it started.</summary>
    Cancelled,
}
