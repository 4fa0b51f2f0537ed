using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Grains;
using Campaigns.Reporting;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Validation;

namespace Campaigns;

/// <summary>Reporting: the campaign list, insights, exports, introductory reports, and rebuilding them from the facts.</summary>
public sealed partial class CampaignsClient
{
    private ITenantIndexGrain IndexGrain(TenantId tenant)
    {
        TenantContext.Set(tenant);
        return _grains.GetGrain<ITenantIndexGrain>(tenant.Value);
    }

    private ICampaignGrain SendGrain(TenantId tenant, string campaignId)
    {
        TenantContext.Set(tenant);
        return _grains.GetGrain<ICampaignGrain>(tenant.Key(campaignId));
    }

    /// <summary>
    /// One page of the campaign list with a Last Sent filter given as whole days in the tenant's time
    /// zone (both inclusive); the filter hides the introductory section.
    /// </summary>
    public async Task<CampaignListPage> ListCampaignsAsync(TenantId tenant, CampaignListQuery query, DateOnly? lastSentFrom, DateOnly? lastSentTo)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (lastSentFrom is { } f && lastSentTo is { } t && f > t)
        {
            throw new CampaignsValidationException("lastSentTo", "Must not be before lastSentFrom.");
        }

        var (from, before) = await DaysAsync(tenant, lastSentFrom, lastSentTo);
        return await ListCampaignsAsync(tenant, query with { LastSentFrom = from, LastSentTo = before?.AddTicks(-1) });
    }

    /// <summary>Every row of the tenant's campaign list, cancelled ones included, ordered by campaign id.</summary>
    public async Task<IReadOnlyList<CampaignRow>> ListAllCampaignRowsAsync(TenantId tenant) => await IndexGrain(tenant).All();

    /// <summary>One row of the campaign list (a send, an upcoming send or an introductory row), or null.</summary>
    public async Task<CampaignRow?> GetCampaignRowAsync(TenantId tenant, string campaignId) => await IndexGrain(tenant).Get(campaignId);

    /// <summary>
    /// The insights of a send (a one-time campaign or a recurring instance) or of an introductory row
    /// (aggregated over its intros), or null when the tenant has no such id. With
    /// <paramref name="audienceId"/>, every figure is limited to the contacts who are members of that
    /// audience now; an unknown audience is a validation error.
    /// </summary>
    public async Task<CampaignInsights?> GetInsightsAsync(TenantId tenant, string campaignId, string? audienceId = null, CancellationToken cancellationToken = default)
    {
        var member = await AudienceFilterAsync(tenant, audienceId);
        if (await ReportSubjectAsync(tenant, campaignId) is not { } subject)
        {
            return null;
        }

        var tally = new InsightsTally(subject.Script);
        await using (var members = member?.Invoke())
        {
            await foreach (var fact in _store.StreamReportFactsAsync(tenant, campaignId, cancellationToken: cancellationToken))
            {
                if (members is null || await members.ContainsAsync(fact.Fact.ContactId))
                {
                    tally.Add(fact);
                }
            }
        }

        var open = subject.Trigger is { } trigger && subject.DurationHours is { } hours
            ? subject.Started && _clock.GetUtcNow() < trigger.AddHours(hours)
            : subject.IntroStillActive;
        return new CampaignInsights(
            campaignId,
            subject.Name,
            subject.ScriptId,
            subject.Type,
            open,
            subject.Trigger,
            subject.DurationHours,
            subject.Recipients,
            subject.IntroTrigger,
            subject.Channel,
            tally.Sent,
            tally.Delivered,
            tally.Failed,
            tally.Skipped,
            tally.Waiting,
            tally.Responded,
            tally.Engagement(subject.Type),
            tally.OptedOut,
            tally.Paused,
            tally.InvalidResponses,
            tally.Failures,
            tally.SkippedReasons,
            tally.Questions(),
            audienceId);
    }

    /// <summary>
    /// The export of a send or introductory row (one row per targeted contact), or null when the tenant
    /// has no such id. Nothing is read until the export is enumerated or written, then page by page.
    /// With <paramref name="audienceId"/>, only members of that audience now are exported.
    /// </summary>
    public async Task<CampaignExport?> OpenExportAsync(TenantId tenant, string campaignId, string? audienceId = null)
    {
        var member = await AudienceFilterAsync(tenant, audienceId);
        return await ReportSubjectAsync(tenant, campaignId) is { } subject
            ? new CampaignExport(_store, tenant, campaignId, subject.Script, member)
            : null;
    }

    /// <summary>
    /// The introductory aggregate reports over a period: per trigger and script, the contacts
    /// introduced in it (whole days in the tenant's time zone, both inclusive; open-ended when not
    /// given), how many of them responded, and the engagement (null for a nudge script or with no intros).
    /// </summary>
    public async Task<IReadOnlyList<IntroductoryReport>> GetIntroductoryReportsAsync(TenantId tenant, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        if (from is { } f && to is { } t && f > t)
        {
            throw new CampaignsValidationException("to", "Must not be before from.");
        }

        var (fromAt, before) = await DaysAsync(tenant, from, to);
        var counts = await _store.CountIntroductionsAsync(tenant, fromAt, before, cancellationToken);
        var rows = (await IndexGrain(tenant).All()).Where(r => r.IsIntroductory).ToDictionary(r => r.CampaignId, StringComparer.Ordinal);
        var reports = new List<IntroductoryReport>();
        foreach (var id in rows.Keys.Union(counts.Keys))
        {
            if (!IntroductoryCampaign.TryParse(id, out var trigger, out var scriptId))
            {
                continue;
            }

            var type = rows.TryGetValue(id, out var row) ? row.Type : (await _store.GetScriptAsync(tenant, scriptId, cancellationToken))?.Type ?? ScriptType.Interactive;
            var (introduced, responded) = counts.GetValueOrDefault(id);
            reports.Add(new IntroductoryReport(trigger, scriptId, introduced, responded, type == ScriptType.Nudge || introduced == 0 ? null : (double)responded / introduced));
        }

        return [.. reports.OrderBy(r => r.Trigger).ThenBy(r => r.ScriptId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Counts one row's figures again from its delivery facts (and takes its shape again from its
    /// campaign), returning the row; null when the tenant has no such row.
    /// </summary>
    public async Task<CampaignRow?> RecomputeCampaignAsync(TenantId tenant, string campaignId)
    {
        if (!IntroductoryCampaign.TryParse(campaignId, out _, out _) && await SendGrain(tenant, campaignId).Peek() is { } details)
        {
            await IndexGrain(tenant).Upsert(details.Row);
        }

        return await IndexGrain(tenant).Recompute(campaignId);
    }

    /// <summary>
    /// Rebuilds the tenant's whole campaign list: every send that has facts or a pending due time, plus
    /// every row already listed, with its shape from its campaign and every figure counted from the
    /// delivery facts. Returns how many rows it holds and how many differed from the live list.
    /// </summary>
    public async Task<IndexRebuild> RebuildCampaignListAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await RequireTenantAsync(tenant);
        var current = (await IndexGrain(tenant).All()).ToDictionary(r => r.CampaignId, StringComparer.Ordinal);
        var ids = new SortedSet<string>(current.Keys, StringComparer.Ordinal);
        ids.UnionWith((await _store.CountFiguresByCampaignAsync(tenant, cancellationToken)).Keys);
        foreach (var (key, _) in await _store.ListDueAsync(cancellationToken))
        {
            var schedule = key.StartsWith(DueWorkScheduler.SchedulePrefix, StringComparison.Ordinal);
            if (!TenantId.TryFromKey(schedule ? key[DueWorkScheduler.SchedulePrefix.Length..] : key, out var owner, out var id) || owner != tenant)
            {
                continue;
            }

            // A recurring schedule's due time stands for its next send, which has an upcoming row.
            if (!schedule)
            {
                ids.Add(id);
            }
            else if (await ScheduleGrain(tenant, id).Get() is { NextCampaignId: { } next })
            {
                ids.Add(next);
            }
        }

        var shapes = new CampaignRow?[ids.Count];
        await Parallel.ForEachAsync(ids.Select((id, i) => (id, i)), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, _) =>
            shapes[item.i] = await ShapeAsync(tenant, item.id, current.GetValueOrDefault(item.id)));
        return await IndexGrain(tenant).Rebuild([.. shapes.OfType<CampaignRow>()]);
    }

    /// <summary>
    /// A row's shape for a rebuild: its campaign's own; for a recurring schedule's next send, what its
    /// schedule says; for an intro row, the listed one, else its script's.
    /// </summary>
    private async Task<CampaignRow?> ShapeAsync(TenantId tenant, string campaignId, CampaignRow? listed)
    {
        if (IntroductoryCampaign.TryParse(campaignId, out _, out var scriptId))
        {
            return listed ?? (await _store.GetScriptAsync(tenant, scriptId) is { } script
                ? new CampaignRow(campaignId, null, script.Name, script.Description, false, script.Type, 0, 0, null, false, CampaignStatus.Sent, IsIntroductory: true)
                : null);
        }

        if ((await SendGrain(tenant, campaignId).Peek())?.Row is { } row)
        {
            return row;
        }

        // The next send of a recurring schedule has a row before it has a campaign: its schedule says whether it still comes.
        if (RecurrenceRules.TryParseInstanceId(campaignId, out var scheduleId, out _))
        {
            return await ScheduleGrain(tenant, scheduleId).Get() is { NextCampaignId: { } next, NextSend: { } at } details && next == campaignId
                ? new CampaignRow(campaignId, scheduleId, details.Request.Name, details.Request.Description, IsRecurring: true, details.Type, 0, 0, at, IsUpcoming: true, CampaignStatus.Scheduled)
                : null;
        }

        return listed;
    }

    /// <summary>Whole days in the tenant's zone as [from, before).</summary>
    private async Task<(DateTimeOffset? From, DateTimeOffset? Before)> DaysAsync(TenantId tenant, DateOnly? from, DateOnly? to) =>
        (from is { } f ? await StartOfDayAsync(tenant, f) : null, to is { } t ? await StartOfDayAsync(tenant, t.AddDays(1)) : null);

    /// <summary>
    /// For an audience filter: a way to walk the audience's current members (evaluated now, as the
    /// report is read); null without a filter. An unknown audience is a validation error.
    /// </summary>
    private async Task<Func<AudienceMembership>?> AudienceFilterAsync(TenantId tenant, string? audienceId)
    {
        if (audienceId is null)
        {
            return null;
        }

        if (!await AudienceExistsAsync(tenant, audienceId))
        {
            throw new CampaignsValidationException("audienceId", $"'{audienceId}' is not an audience of this tenant.");
        }

        return () => new AudienceMembership(AudienceMemberIdsAsync(tenant, audienceId));
    }

    /// <summary>What a report needs to know about a send or an introductory row, or null when the tenant has none.</summary>
    private async Task<ReportSubject?> ReportSubjectAsync(TenantId tenant, string campaignId)
    {
        if (IntroductoryCampaign.TryParse(campaignId, out var trigger, out var scriptId))
        {
            if (await IndexGrain(tenant).Get(campaignId) is not { IsIntroductory: true } row)
            {
                return null;
            }

            var settings = (await RequireTenantAsync(tenant)).Settings;
            var active = trigger == IntroTrigger.Webchat ? settings.IntroScripts?.Webchat == scriptId : settings.OpenBot && settings.IntroScripts?.OpenBotSms == scriptId;
            return new ReportSubject(
                row.Name,
                scriptId,
                row.Type,
                await _store.GetScriptAsync(tenant, scriptId),
                Trigger: null,
                DurationHours: null,
                Started: true,
                Recipients: null,
                trigger,
                trigger.Channel(),
                active);
        }

        if (await SendGrain(tenant, campaignId).Peek() is not { } details)
        {
            return null;
        }

        var request = details.Request;
        return new ReportSubject(
            details.Row.Name,
            request.ScriptId,
            details.Row.Type,
            await _store.GetScriptAsync(tenant, request.ScriptId),
            details.Row.LastSent,
            request.DurationHours,
            details.Row.Status is CampaignStatus.Sending or CampaignStatus.Sent,
            request.Recipients,
            null,
            request.Channel,
            false);
    }

    private sealed record ReportSubject(
        string Name,
        string ScriptId,
        ScriptType Type,
        Script? Script,
        DateTimeOffset? Trigger,
        int? DurationHours,
        bool Started,
        Recipients? Recipients,
        IntroTrigger? IntroTrigger,
        ChannelKind Channel,
        bool IntroStillActive);
}
