namespace Campaigns.Channels;

/// <summary>
/// The client reference of a campaign message: <c>{campaignId}:{contactId}</c>. It is the message's
/// idempotency key (<see cref="OutboundMessage.IdempotencyKey"/>), a provider hands it to its vendor
/// (Vonage's <c>client_ref</c>), and the vendor's delivery reports carry it back, so a report finds its
/// delivery fact by the fact's own key: <c>(campaign, contact)</c> is unique in the facts store.
/// </summary>
public static class ClientReference
{
    /// <summary>The reference of <paramref name="campaignId"/>'s message to <paramref name="contactId"/>.</summary>
    public static string For(string campaignId, string contactId)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaignId);
        ArgumentException.ThrowIfNullOrEmpty(contactId);
        if (contactId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Contact id '{contactId}' contains ':', which ends a client reference's campaign id.", nameof(contactId));
        }

        return $"{campaignId}:{contactId}";
    }

    /// <summary>
    /// Reads a reference back into its campaign and contact (split at the last <c>:</c>, since contact ids
    /// have none); false for one without both parts. A key of another shape that has both (a conversation's
    /// follow-up, <c>{contactId}:m{n}</c>) reads, and names no delivery fact.
    /// </summary>
    public static bool TryParse(string? reference, out string campaignId, out string contactId)
    {
        var colon = reference?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || colon == reference!.Length - 1)
        {
            (campaignId, contactId) = (string.Empty, string.Empty);
            return false;
        }

        (campaignId, contactId) = (reference[..colon], reference[(colon + 1)..]);
        return true;
    }
}
