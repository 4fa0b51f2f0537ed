using System.Text.Json;
using Campaigns.Channels;
using Campaigns.Contacts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<DeliveryFact>> ReadContactFactsAsync(TenantId tenant, string contactId, ChannelKind channel, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {FactColumns}, campaign_id FROM delivery_facts
            WHERE tenant_id = $t AND contact_id = $c AND sent_at IS NOT NULL AND channel = $ch AND status IN ($sent, $delivered)
            ORDER BY sent_at DESC, campaign_id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", contactId);
        command.Parameters.AddWithValue("$ch", (int)channel);
        command.Parameters.AddWithValue("$sent", (int)DeliveryStatus.Sent);
        command.Parameters.AddWithValue("$delivered", (int)DeliveryStatus.Delivered);
        command.Parameters.AddWithValue("$limit", limit);
        var facts = new List<DeliveryFact>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            facts.Add(ReadFact(reader, reader.GetString(13)));
        }

        return facts;
    }

    /// <inheritdoc />
    public async Task<Contact?> FindContactByAddressAsync(TenantId tenant, ChannelKind channel, string address, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await FindByAddressAsync(connection, null, tenant, channel, address, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<(Contact Contact, bool Created)> AddContactAsync(TenantId tenant, Contact contact, ChannelKind channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var address = contact.AddressOn(channel) ?? throw new ArgumentException($"The contact has no {channel.ToName()} address.", nameof(contact));
        await using var connection = await OpenAsync(cancellationToken);

        // BEGIN IMMEDIATE: the look-up and the insert hold the write lock together.
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (await FindByAddressAsync(connection, transaction, tenant, channel, address, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO contacts (tenant_id, contact_id, first_name, last_name, phone, email, time_zone, external_id, fields, labels, channels, webchat_session)
            VALUES ($t, $c, $fn, $ln, $ph, $em, $tz, $ext, $fields, $labels, $channels, $ws)
            """;
        insert.Parameters.AddWithValue("$t", tenant.Value);
        insert.Parameters.AddWithValue("$c", contact.ContactId);
        insert.Parameters.AddWithValue("$fn", contact.FirstName);
        insert.Parameters.AddWithValue("$ln", contact.LastName);
        insert.Parameters.AddWithValue("$ph", Db(contact.Phone));
        insert.Parameters.AddWithValue("$em", Db(contact.Email));
        insert.Parameters.AddWithValue("$tz", Db(contact.TimeZone));
        insert.Parameters.AddWithValue("$ext", Db(contact.ExternalId));
        insert.Parameters.AddWithValue("$fields", JsonSerializer.Serialize(contact.Fields, Json));
        insert.Parameters.AddWithValue("$labels", JsonSerializer.Serialize(contact.Labels, Json));
        insert.Parameters.AddWithValue("$channels", JsonSerializer.Serialize(contact.Channels, Json));
        insert.Parameters.AddWithValue("$ws", Db(contact.WebchatSession));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (contact, true);
    }

    private static async Task<Contact?> FindByAddressAsync(SqliteConnection connection, SqliteTransaction? transaction, TenantId tenant, ChannelKind channel, string address, CancellationToken cancellationToken)
    {
        var column = channel switch
        {
            ChannelKind.Sms => "c.phone",
            ChannelKind.Email => "c.email",
            _ => "c.webchat_session",
        };
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {ContactColumns} FROM contacts c WHERE c.tenant_id = $t AND {column} = $a ORDER BY c.contact_id LIMIT 1";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$a", channel == ChannelKind.Email ? address.ToLowerInvariant() : address);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadContact(reader) : null;
    }
}
