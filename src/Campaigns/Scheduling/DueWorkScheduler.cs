using System.Collections.Concurrent;
using Campaigns.Grains;
using Campaigns.Hosting;
using Campaigns.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campaigns.Scheduling;

/// <summary>
/// Wakes campaign grains (and conversations whose pause ends) at their due times. Due times are durable (<see cref="ICampaignStore.SetDueAsync"/>):
/// on silo start every remembered one is armed again, and a periodic sweep wakes any that are
/// past due, so a send interrupted by a crash or a deactivation goes on. Timers come from the
/// configured <see cref="TimeProvider"/>, so a fake clock drives them in tests. Waking is
/// idempotent: a campaign that already sent ignores it.
/// </summary>
internal sealed partial class DueWorkScheduler(
    ICampaignStore store,
    IGrainFactory grains,
    IOptions<CampaignsOptions> options,
    ILogger<DueWorkScheduler> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly ConcurrentDictionary<string, ITimer> _timers = new(StringComparer.Ordinal);
    private ITimer? _sweep;

    private TimeProvider Clock => options.Value.TimeProvider;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DueWorkScheduler), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, dueAt) in await store.ListDueAsync(cancellationToken))
        {
            Arm(key, dueAt);
        }

        var interval = options.Value.SweepInterval;
        _sweep = Clock.CreateTimer(_ => _ = SweepAsync(), null, interval, interval);
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Wakes the campaign <paramref name="grainKey"/> at <paramref name="dueAt"/> (at once when it is past).</summary>
    public void Arm(string grainKey, DateTimeOffset dueAt)
    {
        var delay = dueAt - Clock.GetUtcNow();
        var timer = Clock.CreateTimer(_ => _ = WakeAsync(grainKey), null, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        if (_timers.TryGetValue(grainKey, out var previous))
        {
            previous.Dispose();
        }

        _timers[grainKey] = timer;
    }

    /// <summary>Forgets an armed time (the durable record is the caller's to clear).</summary>
    public void Disarm(string grainKey)
    {
        if (_timers.TryRemove(grainKey, out var timer))
        {
            timer.Dispose();
        }
    }

    private async Task SweepAsync()
    {
        try
        {
            var now = Clock.GetUtcNow();
            foreach (var (key, dueAt) in await store.ListDueAsync())
            {
                if (dueAt <= now)
                {
                    await WakeAsync(key);
                }
            }
        }
        catch (Exception ex)
        {
            LogSweepFailed(logger, ex);
        }
    }

    private async Task WakeAsync(string grainKey)
    {
        try
        {
            if (TenantId.TryFromKey(grainKey, out var tenant, out var id))
            {
                TenantContext.Set(tenant);
                if (id.StartsWith(ConversationGrain.DuePrefix, StringComparison.Ordinal))
                {
                    // A conversation's pause ran out.
                    await grains.GetGrain<IConversationGrain>(tenant.Key(id[ConversationGrain.DuePrefix.Length..])).Wake();
                }
                else
                {
                    await grains.GetGrain<ICampaignGrain>(grainKey).Wake();
                }
            }
        }
        catch (Exception ex)
        {
            LogWakeFailed(logger, grainKey, ex);
        }
    }

    public void Dispose()
    {
        _sweep?.Dispose();
        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking campaign {GrainKey} failed; the sweep will try again.")]
    private static partial void LogWakeFailed(ILogger logger, string grainKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping due campaigns failed.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
