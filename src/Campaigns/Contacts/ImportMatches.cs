using Campaigns.Storage;

namespace Campaigns.Contacts;

/// <summary>
/// The contacts one batch of an import can match, kept up to date as the batch's rows create and
/// change them, so rows match in memory exactly as they would one by one against the store: by
/// external id, else by phone, else by email, the lowest contact id first.
/// </summary>
/// <remarks>
/// It starts from every stored contact holding one of the batch's external ids, phones or emails
/// (<see cref="IImportSession.FindCandidatesAsync"/>), so nothing a row could match is missing: a contact
/// that gains one of those values during the batch is one the batch created or updated, which is added here.
/// </remarks>
internal sealed class ImportMatches
{
    private readonly Dictionary<string, List<Entry>> _byExternalId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Entry>> _byPhone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Entry>> _byEmail = new(StringComparer.Ordinal);

    public ImportMatches(IReadOnlyList<ImportCandidate> candidates)
    {
        foreach (var candidate in candidates)
        {
            Index(new Entry(candidate.Contact, candidate.Line));
        }
    }

    /// <summary>A contact and the line of this import that touched it, if one did.</summary>
    public sealed class Entry(Contact contact, int? line)
    {
        public Contact Contact { get; set; } = contact;

        public int? Line { get; set; } = line;
    }

    /// <summary>
    /// The contact a row matches: the one with its external id; else, among contacts without an external
    /// id or with the row's own, the one with its phone, else with its email; or null.
    /// </summary>
    public Entry? Find(string? externalId, string? phone, string? email) =>
        Lowest(_byExternalId, externalId, null) ?? Lowest(_byPhone, phone, externalId) ?? Lowest(_byEmail, email, externalId);

    /// <summary>A contact a row created.</summary>
    public void Add(Contact contact, int line) => Index(new Entry(contact, line));

    /// <summary>A row changed a contact (its values may have moved to other keys).</summary>
    public void Update(Entry entry, Contact contact, int line)
    {
        Remove(_byExternalId, entry.Contact.ExternalId, entry);
        Remove(_byPhone, entry.Contact.Phone, entry);
        Remove(_byEmail, entry.Contact.Email, entry);
        entry.Contact = contact;
        entry.Line = line;
        Index(entry);
    }

    private void Index(Entry entry)
    {
        Add(_byExternalId, entry.Contact.ExternalId, entry);
        Add(_byPhone, entry.Contact.Phone, entry);
        Add(_byEmail, entry.Contact.Email, entry);
    }

    private static Entry? Lowest(Dictionary<string, List<Entry>> map, string? key, string? externalId)
    {
        if (key is null || !map.TryGetValue(key, out var entries))
        {
            return null;
        }

        Entry? lowest = null;
        foreach (var entry in entries)
        {
            // A contact known under another external id is another person sharing the address.
            var other = entry.Contact.ExternalId;
            if ((externalId is null || other is null || other == externalId)
                && (lowest is null || string.CompareOrdinal(entry.Contact.ContactId, lowest.Contact.ContactId) < 0))
            {
                lowest = entry;
            }
        }

        return lowest;
    }

    private static void Add(Dictionary<string, List<Entry>> map, string? key, Entry entry)
    {
        if (key is null)
        {
            return;
        }

        if (!map.TryGetValue(key, out var entries))
        {
            map[key] = entries = new List<Entry>(1);
        }

        entries.Add(entry);
    }

    private static void Remove(Dictionary<string, List<Entry>> map, string? key, Entry entry)
    {
        if (key is not null && map.TryGetValue(key, out var entries))
        {
            entries.Remove(entry);
        }
    }
}
