namespace Campaigns.Channels.Dev;

/// <summary>
/// The development channel: records outbound messages in the <see cref="DevOutbox"/> instead of
/// sending them, for every channel. Replies and delivery reports are injected through the dev
/// endpoints. Never register it in production.
/// </summary>
public sealed class DevChannelProvider(DevOutbox outbox, TimeProvider timeProvider) : IChannelProvider
{
    /// <summary>The provider name, <c>dev</c>.</summary>
    public const string Name = "dev";

    /// <inheritdoc />
    public ProviderDescriptor Descriptor { get; } = new(Name, "Development outbox", [ChannelKind.Sms, ChannelKind.Email, ChannelKind.Webchat], []);

    /// <inheritdoc />
    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings) =>
        settings.Keys.Select(k => $"'{k}' is not a setting of the dev provider.").ToList();

    /// <inheritdoc />
    public Task<SendResult> SendAsync(OutboundMessage message, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var recorded = outbox.Add(message.IdempotencyKey, () => new DevMessage(
            DevMessageIds.New(message.IdempotencyKey), message.TenantId, message.CampaignId, message.Channel, message.Address, message.Text, timeProvider.GetUtcNow()));
        return Task.FromResult(SendResult.Sent(recorded.MessageId));
    }
}
