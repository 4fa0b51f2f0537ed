using System.Collections.Concurrent;
using Campaigns.Channels;

namespace Campaigns.Tests.Support;

/// <summary>
/// A test SMS provider that records every message it accepts (repeats included) and can hold
/// one call open until the test releases it, so a fan-out can be interrupted mid-page.
/// </summary>
internal sealed class GateChannelProvider : IChannelProvider
{
    public const string Name = "gate";

    private readonly ConcurrentQueue<OutboundMessage> _accepted = new();
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<(Func<IReadOnlyList<OutboundMessage>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private int _calls;

    /// <summary>The 1-based call that waits for <see cref="Release"/>; 0 never waits.</summary>
    public int HoldCall { get; set; }

    public ProviderDescriptor Descriptor { get; } = new(Name, "Test gate", [ChannelKind.Sms], []);

    /// <summary>Every accepted message, repeats included, in the order they were accepted.</summary>
    public IReadOnlyList<OutboundMessage> Accepted => [.. _accepted];

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Completes when the held call has arrived.</summary>
    public Task Held => _blocked.Task;

    public void Release() => _release.TrySetResult();

    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings) => [];

    public async Task<SendResult> SendAsync(OutboundMessage message, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        if (call == HoldCall)
        {
            _blocked.TrySetResult();
            await _release.Task;
        }

        _accepted.Enqueue(message);
        lock (_gate)
        {
            var accepted = Accepted;
            _waiters.RemoveAll(w =>
            {
                if (w.Condition(accepted))
                {
                    w.Done.TrySetResult();
                    return true;
                }

                return false;
            });
        }

        return SendResult.Sent($"gate-{call}");
    }

    /// <summary>Completes once at least <paramref name="count"/> messages were accepted.</summary>
    public Task WaitForAcceptedAsync(int count, CancellationToken cancellationToken) => WaitAsync(a => a.Count >= count, cancellationToken);

    /// <summary>Completes once the accepted messages satisfy <paramref name="condition"/>.</summary>
    public Task WaitAsync(Func<IReadOnlyList<OutboundMessage>, bool> condition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (condition(Accepted))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            return done.Task;
        }
    }
}
