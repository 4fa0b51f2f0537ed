using Campaigns.Channels;

namespace Campaigns.Contacts;

/// <summary>A person a tenant can reach.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.Contact")]
public sealed record Contact(
    string ContactId,
    string FirstName,
    string LastName,
    string? Phone,
    string? Email,
    string? TimeZone,
    string? ExternalId,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyList<string> Labels,
    IReadOnlyDictionary<ChannelKind, ChannelStatus> Channels)
{
    /// <summary>The contact's status on a channel; opted in unless recorded otherwise.</summary>
    public ChannelStatus StatusOn(ChannelKind channel) => Channels.TryGetValue(channel, out var s) ? s : ChannelStatus.OptedIn;

    /// <summary>The contact's address on a channel, if any.</summary>
    public string? AddressOn(ChannelKind channel) => channel switch
    {
        ChannelKind.Sms => Phone,
        ChannelKind.Email => Email,
        ChannelKind.Webchat => Fields.TryGetValue("webchatSession", out var s) ? s : null,
        _ => null,
    };
}

/// <summary>Whether a contact may be messaged on a channel.</summary>
public enum ChannelStatus
{
    /// <summary>May be messaged.</summary>
    OptedIn,

    /// <summary>Paused with #pause: not messaged until resumed.</summary>
    Paused,

    /// <summary>Opted out (STOP): never messaged again on this channel.</summary>
    OptedOut,
}
