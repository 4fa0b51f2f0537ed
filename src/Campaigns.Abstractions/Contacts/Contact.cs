using Campaigns.Channels;

namespace Campaigns.Contacts;

/// <summary>
/// A person a tenant can reach. <paramref name="PausedUntil"/> holds the automatic resume time of
/// each channel paused for a while (a channel paused indefinitely has none); <paramref name="Archived"/>
/// contacts receive nothing; <paramref name="InvalidPhone"/> is set after repeated carrier failures
/// (<paramref name="ConsecutiveFailures"/> counts them) and cleared when an import gives a new phone.
/// <paramref name="WebchatSession"/> is a web-chat visitor's session id: their address on that channel and
/// their credential, so it is kept apart from <paramref name="Fields"/> (never shown, merged or matched by audiences).
/// </summary>
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
    IReadOnlyDictionary<ChannelKind, ChannelStatus> Channels,
    IReadOnlyDictionary<ChannelKind, DateTimeOffset>? PausedUntil = null,
    bool Archived = false,
    bool InvalidPhone = false,
    int ConsecutiveFailures = 0,
    string? WebchatSession = null)
{
    /// <summary>
    /// The contact's status on a channel at <paramref name="now"/>: opted in unless recorded otherwise,
    /// and opted in again once a pause's resume time has passed.
    /// </summary>
    public ChannelStatus StatusOn(ChannelKind channel, DateTimeOffset now)
    {
        var status = Channels.TryGetValue(channel, out var s) ? s : ChannelStatus.OptedIn;
        return status == ChannelStatus.Paused && PausedUntilOn(channel) is { } until && until <= now ? ChannelStatus.OptedIn : status;
    }

    /// <summary>When a pause on a channel ends by itself; null when the channel is not paused for a while (indefinitely or not at all).</summary>
    public DateTimeOffset? PausedUntilOn(ChannelKind channel) =>
        Channels.TryGetValue(channel, out var s) && s == ChannelStatus.Paused && PausedUntil is not null && PausedUntil.TryGetValue(channel, out var until) ? until : null;

    /// <summary>The contact's address on a channel, if any.</summary>
    public string? AddressOn(ChannelKind channel) => channel switch
    {
        ChannelKind.Sms => Phone,
        ChannelKind.Email => Email,
        ChannelKind.Webchat => WebchatSession,
        _ => null,
    };
}

/// <summary>Whether a contact may be messaged on a channel.</summary>
public enum ChannelStatus
{
    /// <summary>May be messaged.</summary>
    OptedIn,

    /// <summary>Paused with #pause: not messaged until resumed, or until the pause's resume time passes.</summary>
    Paused,

    /// <summary>Opted out (STOP): never messaged again on this channel.</summary>
    OptedOut,
}
