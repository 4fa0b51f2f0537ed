using Campaigns.Grains;
using Campaigns.Hosting;
using Microsoft.Extensions.Options;

namespace Campaigns.Channels;

/// <summary>
/// Stands in front of the channel providers: picks the tenant's provider for a channel and hands
/// it the tenant's settings. A provider that throws is retried once; then the message counts as failed.
/// </summary>
internal sealed class ChannelDispatcher(IEnumerable<IChannelProvider> providers, IOptions<CampaignsOptions> options)
{
    private readonly Dictionary<string, IChannelProvider> _providers = providers.ToDictionary(p => p.Descriptor.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<IChannelProvider> Providers => _providers.Values;

    public IChannelProvider? Find(string name) => _providers.GetValueOrDefault(name);

    /// <summary>The provider and settings a tenant uses on a channel, or null when it has none.</summary>
    public (IChannelProvider Provider, IReadOnlyDictionary<string, string> Settings)? Resolve(
        IReadOnlyDictionary<ChannelKind, ChannelConfiguration> configured, ChannelKind channel)
    {
        if (configured.TryGetValue(channel, out var configuration) && Find(configuration.Provider) is { } provider)
        {
            return (provider, configuration.Settings);
        }

        if (options.Value.FallbackProvider is { } fallback && Find(fallback) is { } fallbackProvider && fallbackProvider.Descriptor.Channels.Contains(channel))
        {
            return (fallbackProvider, new Dictionary<string, string>());
        }

        return null;
    }

    public static async Task<SendResult> SendAsync(IChannelProvider provider, IReadOnlyDictionary<string, string> settings, OutboundMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await provider.SendAsync(message, settings, cancellationToken);
            }
            catch (Exception ex) when (attempt < 2 && ex is not OperationCanceledException)
            {
                // One immediate retry with the same idempotency key: the provider recognises a repeat.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return SendResult.Failed($"provider error: {ex.GetType().Name}");
            }
        }
    }
}
