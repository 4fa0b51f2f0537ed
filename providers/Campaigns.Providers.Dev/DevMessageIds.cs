using System.Buffers.Text;
using System.Text;

namespace Campaigns.Channels.Dev;

/// <summary>
/// The dev channel's message ids: <c>dev-{random}.{client reference, base64url}</c>. A vendor keeps a
/// durable record of each message and its client reference; the dev outbox lives in memory, so the id
/// carries the reference instead, and <c>POST /dev/status</c> reports a message sent before a restart
/// as well as one sent since. The id proves nothing: the store still records the report only for the
/// calling tenant's fact that holds this very id.
/// </summary>
public static class DevMessageIds
{
    private const string Prefix = "dev-";

    /// <summary>A new id for a message leaving with <paramref name="clientReference"/>.</summary>
    public static string New(string clientReference) =>
        Prefix + Guid.NewGuid().ToString("N")[..12] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(clientReference));

    /// <summary>The client reference a dev message id carries; false for any other text.</summary>
    public static bool TryReadReference(string? messageId, out string clientReference)
    {
        clientReference = string.Empty;
        var dot = messageId?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot < 0 || !messageId!.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = messageId.AsSpan(dot + 1);
        if (!Base64Url.IsValid(encoded))
        {
            return false;
        }

        var bytes = Base64Url.DecodeFromChars(encoded);
        try
        {
            clientReference = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        return clientReference.Length > 0;
    }
}
