using System.Collections.Concurrent;
using Campaigns.Grains;
using Campaigns.Hosting;
using Campaigns.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campaigns.Scheduling;

/// <summary>
/// Wakes campaign, schedule and conversation grains (a conversation whose pause ends) at their due times. Due times are durable
/// (<see cref="ICampaignStore.SetDueAsync"/>), which is the long wait: nothing is held in memory
/// for a time further away than <see cref="CampaignsOptions.ArmHorizon"/>. A sweep every
/// <see cref="CampaignsOptions.SweepInterval"/> reads only the rows due before now + horizon
/// (an indexed range, in pages): it arms a timer for each of those, the last stretch, so a send
/// starts on its second, and it wakes any that are past due, so work interrupted by a crash or a
/// deactivation goes on. Timers come from the configured <see cref="TimeProvider"/>, so a fake
/// clock drives them in tests. Waking is idempotent: a grain with nothing due ignores it.
/// </summary>
internal sealed partial class DueWorkScheduler(
    ICampaignStore store,
    IGrainFactory grains,
    IOptions<CampaignsOptions> options,
    ILogger<DueWorkScheduler> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>The prefix of a due key that wakes a recurring schedule rather than a campaign.</summary>
    public const string SchedulePrefix = "schedule:";

    private const int PageSize = 1000;

    private readonly ConcurrentDictionary<string, Armed> _timers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sweeping = new(1, 1);
    private readonly ConcurrentDictionary<Task, byte> _waking = new();
    private ITimer? _sweep;

    private TimeProvider Clock => options.Value.TimeProvider;

    /// <summary>How many times are armed in memory now (the rest wait in the store).</summary>
    public int ArmedCount => _timers.Count;

    /// <summary>The due key of a schedule grain.</summary>
    public static string ScheduleKey(string grainKey) => SchedulePrefix + grainKey;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DueWorkScheduler), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // The first sweep arms what is near and wakes what is past due (a send time missed while down) without holding up the start.
        _ = SweepIfIdleAsync();
        var interval = options.Value.SweepInterval;
        _sweep = Clock.CreateTimer(_ => Track(SweepIfIdleAsync()), null, interval, interval);
        return Task.CompletedTask;
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Wakes <paramref name="dueKey"/> at <paramref name="dueAt"/> (at once when it is past). A time
    /// beyond the horizon is not held in memory: the durable row brings it back near its time.
    /// </summary>
    public void Arm(string dueKey, DateTimeOffset dueAt)
    {
        var delay = dueAt - Clock.GetUtcNow();
        if (delay > options.Value.ArmHorizon)
        {
            Disarm(dueKey);
            return;
        }

        if (_timers.TryGetValue(dueKey, out var current) && current.DueAt == dueAt)
        {
            return;
        }

        var armed = new Armed(dueAt);
        armed.Timer = Clock.CreateTimer(_ => Fire(dueKey, armed), null, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        if (_timers.TryGetValue(dueKey, out var previous))
        {
            previous.Timer?.Dispose();
        }

        _timers[dueKey] = armed;
    }

    /// <summary>Forgets an armed time (the durable record is the caller's to clear).</summary>
    public void Disarm(string dueKey)
    {
        if (_timers.TryRemove(dueKey, out var armed))
        {
            armed.Timer?.Dispose();
        }
    }

    /// <summary>Runs a sweep now and waits for the wakes it starts (tests use it to stay deterministic).</summary>
    public async Task SweepAsync(CancellationToken cancellationToken = default)
    {
        await _sweeping.WaitAsync(cancellationToken);
        try
        {
            await SweepCoreAsync(cancellationToken);
        }
        finally
        {
            _sweeping.Release();
        }
    }

    // A fake clock advanced by hours fires the periodic timer once per interval it skips: one sweep at a time is enough.
    private async Task SweepIfIdleAsync()
    {
        if (!await _sweeping.WaitAsync(0))
        {
            return;
        }

        try
        {
            await SweepCoreAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogSweepFailed(logger, ex);
        }
        finally
        {
            _sweeping.Release();
        }
    }

    private async Task SweepCoreAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        (DateTimeOffset, string)? after = null;
        while (true)
        {
            var page = await store.ListDueBeforeAsync(now + options.Value.ArmHorizon, after, PageSize, cancellationToken);
            var pastDue = new List<string>();
            foreach (var (key, dueAt) in page)
            {
                if (dueAt <= now)
                {
                    pastDue.Add(key);
                }
                else
                {
                    Arm(key, dueAt);
                }
            }

            await Parallel.ForEachAsync(pastDue, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, _) => await WakeAsync(key));
            if (page.Count < PageSize)
            {
                return;
            }

            after = (page[^1].DueAt, page[^1].GrainKey);
        }
    }

    private void Fire(string dueKey, Armed armed)
    {
        // Only the timer still registered for the key forgets it; a newer one stays.
        _timers.TryRemove(new KeyValuePair<string, Armed>(dueKey, armed));
        armed.Timer?.Dispose();
        Track(WakeAsync(dueKey));
    }

    /// <summary>Remembers work a timer started until it ends, for <see cref="IdleAsync"/>.</summary>
    private void Track(Task work)
    {
        _waking.TryAdd(work, 0);
        _ = work.ContinueWith(t => _waking.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Completes when every wake and sweep a timer started has finished (what a test awaits after moving a fake clock).</summary>
    internal async Task IdleAsync()
    {
        while (!_waking.IsEmpty)
        {
            await Task.WhenAll(_waking.Keys);
        }
    }

    private async Task WakeAsync(string dueKey)
    {
        try
        {
            var schedule = dueKey.StartsWith(SchedulePrefix, StringComparison.Ordinal);
            var grainKey = schedule ? dueKey[SchedulePrefix.Length..] : dueKey;
            if (TenantId.TryFromKey(grainKey, out var tenant, out var id))
            {
                TenantContext.Set(tenant);
                if (schedule)
                {
                    await GrainReferences.Get<IRecurrenceGrain>(grains, grainKey).Wake();
                }
                else if (id.StartsWith(ConversationGrain.DuePrefix, StringComparison.Ordinal))
                {
                    // A conversation's pause ran out.
                    await grains.GetGrain<IConversationGrain>(tenant.Key(id[ConversationGrain.DuePrefix.Length..])).Wake();
                }
                else
                {
                    await GrainReferences.Get<ICampaignGrain>(grains, grainKey).Wake();
                }
            }
        }
        catch (Exception ex)
        {
            LogWakeFailed(logger, dueKey, ex);
        }
    }

    public void Dispose()
    {
        _sweep?.Dispose();
        foreach (var armed in _timers.Values)
        {
            armed.Timer?.Dispose();
        }

        _timers.Clear();
    }

    private sealed class Armed(DateTimeOffset dueAt)
    {
        public DateTimeOffset DueAt { get; } = dueAt;

        public ITimer? Timer { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking {DueKey} failed; the sweep will try again.")]
    private static partial void LogWakeFailed(ILogger logger, string dueKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping due work failed.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
