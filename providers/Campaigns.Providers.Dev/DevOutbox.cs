using System.Collections.Concurrent;

namespace Campaigns.Channels.Dev;

/// <summary>A message the dev channel "sent".</summary>
/// <param name="MessageId">The id delivery reports refer to; it carries the client reference the message left with (<see cref="DevMessageIds"/>).</param>
/// <param name="TenantId">The tenant that sent it.</param>
/// <param name="CampaignId">The campaign it belongs to.</param>
/// <param name="Channel">The channel it went over.</param>
/// <param name="Address">Where it went.</param>
/// <param name="Text">What it said.</param>
/// <param name="At">When it left.</param>
public sealed record DevMessage(string MessageId, TenantId TenantId, string CampaignId, ChannelKind Channel, string Address, string Text, DateTimeOffset At);

/// <summary>
/// The in-memory outbox of the dev channel. A message repeated with the same idempotency key is
/// recorded once, as a vendor that honours client references would.
/// </summary>
public sealed class DevOutbox
{
    private readonly ConcurrentDictionary<string, DevMessage> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<DevMessage> _messages = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<IReadOnlyList<DevMessage>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Every message, oldest first.</summary>
    public IReadOnlyList<DevMessage> Messages => [.. _messages];

    /// <summary>A tenant's messages, optionally to one address.</summary>
    public IReadOnlyList<DevMessage> For(TenantId tenant, string? address = null) =>
        _messages.Where(m => m.TenantId == tenant && (address is null || m.Address == address)).ToList();

    /// <summary>Records a message; a repeat of an idempotency key returns the first record.</summary>
    public DevMessage Add(string idempotencyKey, Func<DevMessage> create)
    {
        var added = false;
        var message = _byKey.GetOrAdd(idempotencyKey, _ =>
        {
            added = true;
            return create();
        });
        if (added)
        {
            _messages.Enqueue(message);
            Notify();
        }

        return message;
    }

    /// <summary>Completes when the outbox satisfies <paramref name="condition"/> (tests await this instead of sleeping).</summary>
    public Task WaitAsync(Func<IReadOnlyList<DevMessage>, bool> condition, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (condition(Messages))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            return done.Task;
        }
    }

    private void Notify()
    {
        lock (_gate)
        {
            var snapshot = Messages;
            _waiters.RemoveAll(w =>
            {
                if (w.Done.Task.IsCompleted || w.Condition(snapshot))
                {
                    w.Done.TrySetResult();
                    return true;
                }

                return false;
            });
        }
    }
}
