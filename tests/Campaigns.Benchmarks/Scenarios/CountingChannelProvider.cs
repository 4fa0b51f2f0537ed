using System.Diagnostics;
using Campaigns.Channels;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// A channel provider that only counts: every message is accepted with a fresh vendor-style id and
/// nothing leaves the process, so a benchmark measures the engine and the store, not a network.
/// Registered like any provider (<c>services.AddSingleton&lt;IChannelProvider&gt;</c>).
/// </summary>
internal sealed class CountingChannelProvider : IChannelProvider
{
    public const string Name = "counting";

    private long _count;
    private long _firstAt;

    public ProviderDescriptor Descriptor { get; } = new(Name, "Counting (benchmarks)", [ChannelKind.Sms, ChannelKind.Email, ChannelKind.Webchat], []);

    /// <summary>Messages accepted since the last <see cref="Reset"/>.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first message since the last reset, or 0.</summary>
    public long FirstAt => Interlocked.Read(ref _firstAt);

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _firstAt, 0);
    }

    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings) => [];

    public Task<SendResult> SendAsync(OutboundMessage message, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            Interlocked.Exchange(ref _firstAt, Stopwatch.GetTimestamp());
        }

        return Task.FromResult(SendResult.Sent(Guid.NewGuid().ToString()));
    }
}
