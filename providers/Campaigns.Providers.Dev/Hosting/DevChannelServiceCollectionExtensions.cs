using Campaigns.Channels;
using Campaigns.Channels.Dev;
using Campaigns.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// In the DI namespace so that AddCampaignsDevChannel is found without an extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the development channel.</summary>
public static class DevChannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds the development channel: an in-memory <see cref="DevOutbox"/> for every channel, used
    /// on channels a tenant has not configured. For development and tests only.
    /// </summary>
    public static IServiceCollection AddCampaignsDevChannel(this IServiceCollection services)
    {
        services.TryAddSingleton<DevOutbox>();
        services.AddSingleton<IChannelProvider>(sp => new DevChannelProvider(
            sp.GetRequiredService<DevOutbox>(), sp.GetRequiredService<IOptions<CampaignsOptions>>().Value.TimeProvider));
        services.Configure<CampaignsOptions>(o => o.FallbackProvider ??= DevChannelProvider.Name);
        return services;
    }
}
