using Campaigns.Campaigns;
using Campaigns.Grains;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Validation;

namespace Campaigns;

/// <summary>Recurring schedules: create, read, cancel, pause, resume, edit, skip one send, preview.</summary>
public sealed partial class CampaignsClient
{
    private IRecurrenceGrain ScheduleGrain(TenantId tenant, string scheduleId)
    {
        TenantContext.Set(tenant);
        return _grains.GetGrain<IRecurrenceGrain>(tenant.Key(scheduleId));
    }

    // Called by CreateCampaignAsync with the other checks, so every problem is reported together.
    private void CheckRecurrence(CampaignSchedule schedule, ValidationErrors errors)
    {
        if (schedule.Kind != ScheduleKind.Recurring)
        {
            return;
        }

        if (schedule.Recurrence is not { } recurrence)
        {
            errors.Add("schedule", "A recurring schedule needs its rule: frequency or rrule, startAt and timeZone.");
            return;
        }

        CheckRule(recurrence, errors);
    }

    /// <summary>Every problem of a recurrence rule (fields under <c>schedule.</c>), changing nothing.</summary>
    internal ValidationErrors CheckRule(Recurrence recurrence)
    {
        var errors = new ValidationErrors();
        CheckRule(recurrence, errors);
        return errors;
    }

    private void CheckRule(Recurrence recurrence, ValidationErrors errors)
    {
        var before = new ValidationErrors();
        RecurrenceRules.Validate(recurrence, before, "schedule");
        RecurrenceRules.Validate(recurrence, errors, "schedule");
        if (before.IsEmpty && !RecurrenceRules.Occurrences(recurrence, _clock.GetUtcNow()).Any())
        {
            errors.Add("schedule", "The rule has no send from now on (check startAt, endDate, UNTIL and COUNT).");
        }
    }

    private async Task<string> CreateScheduleAsync(TenantId tenant, CampaignRequest request, Script script)
    {
        var scheduleId = RecurrenceRules.SchedulePrefix + Guid.NewGuid().ToString("N")[..16];
        await ScheduleGrain(tenant, scheduleId).Create(request, script);
        return scheduleId;
    }

    /// <summary>Whether an id names a recurring schedule (read it with <see cref="GetScheduleAsync"/>) rather than one send.</summary>
    public static bool IsScheduleId(string id) => RecurrenceRules.IsScheduleId(id ?? string.Empty);

    /// <summary>Reads a recurring schedule, or null.</summary>
    public async Task<ScheduleDetails?> GetScheduleAsync(TenantId tenant, string scheduleId) =>
        IsScheduleId(scheduleId) ? await ScheduleGrain(tenant, scheduleId).Get() : null;

    /// <summary>Ends a recurring schedule (again: no change). Instances already sending go on.</summary>
    public async Task CancelScheduleAsync(TenantId tenant, string scheduleId) => await RequireSchedule(tenant, scheduleId).Cancel();

    /// <summary>Pauses a schedule: its sends while paused do not happen. Throws <see cref="ConflictException"/> once it ended.</summary>
    public async Task PauseScheduleAsync(TenantId tenant, string scheduleId) => await RequireSchedule(tenant, scheduleId).Pause();

    /// <summary>Resumes a paused schedule from its next send after now.</summary>
    public async Task ResumeScheduleAsync(TenantId tenant, string scheduleId) => await RequireSchedule(tenant, scheduleId).Resume();

    /// <summary>Replaces a schedule's rule; the next send is recomputed from now.</summary>
    public async Task<ScheduleDetails> EditScheduleAsync(TenantId tenant, string scheduleId, Recurrence recurrence)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        var grain = RequireSchedule(tenant, scheduleId);
        if (await grain.Get() is null)
        {
            throw new NotFoundException($"Campaign '{scheduleId}' was not found.");
        }

        var errors = new ValidationErrors();
        CheckRule(recurrence, errors);
        errors.ThrowIfAny();
        await grain.Edit(recurrence);
        return (await grain.Get())!;
    }

    /// <summary>
    /// The first <paramref name="count"/> send times of a rule at or after its start and not before
    /// now, with the offset of its zone: the very times the engine would start them.
    /// </summary>
    public async Task<IReadOnlyList<DateTimeOffset>> PreviewScheduleAsync(TenantId tenant, Recurrence recurrence, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        var errors = new ValidationErrors();
        if (count is < 1 or > RecurrenceRules.MaxPreviewCount)
        {
            errors.Add("count", $"The count is 1 to {RecurrenceRules.MaxPreviewCount}.");
        }

        if (string.IsNullOrWhiteSpace(recurrence.TimeZone))
        {
            recurrence = recurrence with { TimeZone = (await RequireTenantAsync(tenant)).Settings.TimeZone };
        }

        RecurrenceRules.Validate(recurrence, errors, "schedule");
        errors.ThrowIfAny();
        return RecurrenceRules.Occurrences(recurrence, _clock.GetUtcNow()).Take(count).ToList();
    }

    // A cancel of an instance id whose send has not started yet skips that one send of its schedule.
    private async Task<bool> TryCancelScheduledAsync(TenantId tenant, string campaignId)
    {
        if (IsScheduleId(campaignId))
        {
            await CancelScheduleAsync(tenant, campaignId);
            return true;
        }

        if (RecurrenceRules.TryParseInstanceId(campaignId, out var scheduleId, out var at)
            && await GetCampaignGrainStateAsync(tenant, campaignId) is null)
        {
            await RequireSchedule(tenant, scheduleId).Skip(at);
            return true;
        }

        return false;
    }

    // A send of a schedule that has no campaign of its own: the upcoming one, read by its instance id
    // before the instance exists, or one that was cancelled (skipped), which never will.
    private async Task<CampaignDetails?> UpcomingInstanceAsync(TenantId tenant, string campaignId)
    {
        if (!RecurrenceRules.TryParseInstanceId(campaignId, out var scheduleId, out var at)
            || await ScheduleGrain(tenant, scheduleId).Get() is not { } schedule)
        {
            return null;
        }

        // The times as the schedule holds them, with the offset of its zone.
        CampaignStatus status;
        if (schedule.NextSend is { } next && next == at)
        {
            (status, at) = (CampaignStatus.Scheduled, next);
        }
        else if (schedule.Instances.FirstOrDefault(i => i.At == at && i.Outcome == InstanceOutcome.Skipped) is { } skipped)
        {
            (status, at) = (CampaignStatus.Cancelled, skipped.At);
        }
        else
        {
            return null;
        }

        var request = schedule.Request;
        var row = new CampaignRow(campaignId, scheduleId, request.Name, request.Description, true, schedule.Type, 0, 0, at, status == CampaignStatus.Scheduled, status);
        return new CampaignDetails(row, request, 0, 0, 0);
    }

    private async Task<CampaignDetails?> GetCampaignGrainStateAsync(TenantId tenant, string campaignId)
    {
        TenantContext.Set(tenant);
        return await _grains.GetGrain<ICampaignGrain>(tenant.Key(campaignId)).Get();
    }

    private IRecurrenceGrain RequireSchedule(TenantId tenant, string scheduleId) =>
        IsScheduleId(scheduleId) ? ScheduleGrain(tenant, scheduleId) : throw new NotFoundException($"Campaign '{scheduleId}' was not found.");
}
