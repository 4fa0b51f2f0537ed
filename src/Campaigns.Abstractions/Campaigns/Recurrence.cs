namespace Campaigns.Campaigns;

/// <summary>
/// When a recurring campaign sends: a <see cref="Frequency"/> (anchored at <see cref="StartAt"/>)
/// or an RFC 5545 <see cref="RRule"/>, read in <see cref="TimeZone"/> so local times stay local
/// across daylight-saving changes. <see cref="EndDate"/> is a date in that zone, inclusive.
/// With <see cref="AllowRepeatRecipients"/> false a contact receives at most one of the sends.
/// </summary>
[GenerateSerializer, Immutable, Alias("Campaigns.Recurrence")]
public sealed record Recurrence(
    RecurrenceFrequency? Frequency,
    string? RRule,
    DateTimeOffset StartAt,
    string TimeZone,
    DateOnly? EndDate = null,
    bool AllowRepeatRecipients = true)
{
    /// <summary>Every day at the local time of <paramref name="startAt"/>.</summary>
    public static Recurrence Every(RecurrenceFrequency frequency, DateTimeOffset startAt, string timeZone, DateOnly? endDate = null, bool allowRepeatRecipients = true) =>
        new(frequency, null, startAt, timeZone, endDate, allowRepeatRecipients);

    /// <summary>An RFC 5545 rule such as <c>FREQ=WEEKLY;BYDAY=MO,WE</c>.</summary>
    public static Recurrence Rule(string rrule, DateTimeOffset startAt, string timeZone, DateOnly? endDate = null, bool allowRepeatRecipients = true) =>
        new(null, rrule, startAt, timeZone, endDate, allowRepeatRecipients);
}

/// <summary>The shorthand frequencies: <c>FREQ=DAILY|WEEKLY|MONTHLY</c> anchored at the start.</summary>
public enum RecurrenceFrequency
{
    /// <summary>Every day.</summary>
    Daily,

    /// <summary>Every week, on the start's weekday.</summary>
    Weekly,

    /// <summary>Every month, on the start's day of the month (months without that day are skipped).</summary>
    Monthly,
}

/// <summary>Whether a recurring schedule still sends.</summary>
public enum ScheduleStatus
{
    /// <summary>It has future sends (possibly paused).</summary>
    Active,

    /// <summary>Cancelled, or its rule has no more sends.</summary>
    Ended,
}

/// <summary>What became of one occurrence of a schedule.</summary>
public enum InstanceOutcome
{
    /// <summary>The instance campaign was created and started sending.</summary>
    Started,

    /// <summary>The host was down at its time and it was older than the grace window: never sent.</summary>
    Missed,

    /// <summary>Cancelled before its time.</summary>
    Skipped,
}

/// <summary>One occurrence of a schedule and what became of it; <see cref="CampaignId"/> is deterministic from the schedule and <see cref="At"/>.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.ScheduleInstance")]
public sealed record ScheduleInstance(string CampaignId, DateTimeOffset At, InstanceOutcome Outcome);

/// <summary>A recurring schedule as read back.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.ScheduleDetails")]
public sealed record ScheduleDetails(
    string ScheduleId,
    CampaignRequest Request,
    Scripts.ScriptType Type,
    ScheduleStatus Status,
    bool Paused,
    DateTimeOffset? NextSend,
    string? NextCampaignId,
    IReadOnlyList<ScheduleInstance> Instances,
    DateTimeOffset CreatedAt)
{
    /// <summary>The rule the schedule follows.</summary>
    public Recurrence Recurrence => Request.Schedule.Recurrence!;
}
