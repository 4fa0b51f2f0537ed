namespace Campaigns.Channels;

/// <summary>
/// A way out to contacts: one provider per vendor (Vonage, SMTP, web chat, the dev outbox).
/// Providers describe themselves so an admin UI can render their settings, take the tenant's
/// settings at run time, and must treat <see cref="OutboundMessage.IdempotencyKey"/> as the
/// vendor's client reference so a retried send is recognisable.
/// </summary>
public interface IChannelProvider
{
    /// <summary>Who this provider is and which settings it takes.</summary>
    ProviderDescriptor Descriptor { get; }

    /// <summary>Checks a tenant's settings for this provider, naming every problem.</summary>
    IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings);

    /// <summary>Sends one message. Throwing means "not sent, may retry"; a refused message returns a failed result.</summary>
    Task<SendResult> SendAsync(OutboundMessage message, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken);
}

/// <summary>What a provider is and which settings it takes.</summary>
/// <param name="Name">The provider's id, as used in <c>PUT /channels/{channel}</c>.</param>
/// <param name="DisplayName">A human name.</param>
/// <param name="Channels">The channels it can carry.</param>
/// <param name="Settings">Its settings; secret ones are write-only.</param>
public sealed record ProviderDescriptor(string Name, string DisplayName, IReadOnlyList<ChannelKind> Channels, IReadOnlyList<ProviderSetting> Settings);

/// <summary>One setting of a provider.</summary>
/// <param name="Name">The key in the settings object.</param>
/// <param name="Secret">Whether it is shown masked and kept when a later update leaves it out.</param>
/// <param name="Required">Whether it must be present.</param>
public sealed record ProviderSetting(string Name, bool Secret, bool Required);

/// <summary>A message ready to leave.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.OutboundMessage")]
public sealed record OutboundMessage(
    TenantId TenantId,
    string CampaignId,
    string ContactId,
    ChannelKind Channel,
    string Address,
    string Text,
    string IdempotencyKey);

/// <summary>The outcome of handing a message to a provider.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.SendResult")]
public sealed record SendResult(bool Accepted, string? MessageId, string? FailureReason)
{
    /// <summary>The provider took the message.</summary>
    public static SendResult Sent(string messageId) => new(true, messageId, null);

    /// <summary>The provider refused the message for good.</summary>
    public static SendResult Failed(string reason) => new(false, null, reason);
}
