using Campaigns.Campaigns;
using Campaigns.Scripts;

namespace Campaigns.Grains;

/// <summary>A recurring schedule: creates one campaign instance per occurrence. Keyed <c>{tenant}/{schedule}</c>.</summary>
[Alias("Campaigns.IRecurrenceGrain")]
public interface IRecurrenceGrain : IGrainWithStringKey
{
    /// <summary>Creates the schedule with a snapshot of its script and arms its first send.</summary>
    [Alias("Create")]
    Task Create(CampaignRequest request, Script script);

    /// <summary>The schedule, or null when there is none.</summary>
    [Alias("Get")]
    Task<ScheduleDetails?> Get();

    /// <summary>Ends the schedule: no further sends (instances already sending go on). Again: no change.</summary>
    [Alias("Cancel")]
    Task Cancel();

    /// <summary>Holds the schedule: occurrences while paused are not sent.</summary>
    [Alias("Pause")]
    Task Pause();

    /// <summary>Resumes a paused schedule from its next occurrence after now.</summary>
    [Alias("Resume")]
    Task Resume();

    /// <summary>Replaces the rule; the next send is recomputed from now.</summary>
    [Alias("Edit")]
    Task Edit(Recurrence recurrence);

    /// <summary>Skips the one upcoming send at <paramref name="at"/>; throws <see cref="Validation.NotFoundException"/> when the schedule has no such upcoming send.</summary>
    [Alias("Skip")]
    Task Skip(DateTimeOffset at);

    /// <summary>A send time came (or the schedule must catch up after downtime). Repeats are harmless.</summary>
    [Alias("Wake")]
    Task Wake();
}

/// <summary>Which schedule and occurrence a campaign instance belongs to.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.RecurringInstance")]
public sealed record RecurringInstance(string ScheduleId, DateTimeOffset At, bool AllowRepeatRecipients);
