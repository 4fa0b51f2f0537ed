using System.Text.Json;
using Campaigns.Channels;
using Campaigns.Contacts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    private const string ContactColumns =
        "c.contact_id, c.first_name, c.last_name, c.phone, c.email, c.time_zone, c.external_id, c.fields, c.labels, c.channels, c.paused_until, c.archived, c.invalid_phone, c.failure_count, c.webchat_session";

    private static Contact ReadContact(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        NullableString(reader, 3),
        NullableString(reader, 4),
        NullableString(reader, 5),
        NullableString(reader, 6),
        ReadJson<Dictionary<string, string>>(reader.GetString(7)),
        ReadJson<List<string>>(reader.GetString(8)),
        ReadJson<Dictionary<ChannelKind, ChannelStatus>>(reader.GetString(9)),
        reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<Dictionary<ChannelKind, DateTimeOffset>>(reader.GetString(10), Json),
        reader.GetInt64(11) != 0,
        reader.GetInt64(12) != 0,
        reader.GetInt32(13),
        NullableString(reader, 14));

    // Most contacts have no channel statuses and many no fields: an empty collection skips the JSON reader (a fan-out reads millions).
    private static T ReadJson<T>(string json)
        where T : new() =>
        json is "{}" or "[]" ? new T() : JsonSerializer.Deserialize<T>(json, Json) ?? new T();

    /// <inheritdoc />
    public async Task<Contact?> GetContactAsync(TenantId tenant, string contactId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ContactColumns} FROM contacts c WHERE c.tenant_id = $t AND c.contact_id = $c";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", contactId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadContact(reader) : null;
    }

    /// <inheritdoc />
    public async Task<bool> SetChannelStatusAsync(TenantId tenant, string contactId, ChannelKind channel, ChannelStatus status, DateTimeOffset? pausedUntil, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT channels, paused_until FROM contacts WHERE tenant_id = $t AND contact_id = $c";
        read.Parameters.AddWithValue("$t", tenant.Value);
        read.Parameters.AddWithValue("$c", contactId);
        Dictionary<ChannelKind, ChannelStatus> channels;
        Dictionary<ChannelKind, DateTimeOffset> pauses;
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            channels = JsonSerializer.Deserialize<Dictionary<ChannelKind, ChannelStatus>>(reader.GetString(0), Json) ?? [];
            pauses = reader.IsDBNull(1) ? [] : JsonSerializer.Deserialize<Dictionary<ChannelKind, DateTimeOffset>>(reader.GetString(1), Json) ?? [];
        }

        channels[channel] = status;
        if (status == ChannelStatus.Paused && pausedUntil is { } until)
        {
            pauses[channel] = until;
        }
        else
        {
            pauses.Remove(channel);
        }

        await using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "UPDATE contacts SET channels = $ch, paused_until = $p WHERE tenant_id = $t AND contact_id = $c";
        write.Parameters.AddWithValue("$t", tenant.Value);
        write.Parameters.AddWithValue("$c", contactId);
        write.Parameters.AddWithValue("$ch", JsonSerializer.Serialize(channels, Json));
        write.Parameters.AddWithValue("$p", pauses.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(pauses, Json));
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public async Task<bool> ImportExistsAsync(TenantId tenant, string importId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM imports WHERE tenant_id = $t AND import_id = $i";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$i", importId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Contact>> GetImportContactsAsync(TenantId tenant, string importId, ImportSubset subset, string? afterContactId, int limit, CancellationToken cancellationToken = default)
    {
        var filter = subset switch
        {
            ImportSubset.Created => " AND m.created = 1",
            ImportSubset.Updated => " AND m.created = 0",
            ImportSubset.UpdatedPhone => " AND m.created = 0 AND m.phone_changed = 1",
            _ => string.Empty,
        };
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {ContactColumns} FROM import_members m
            JOIN contacts c ON c.tenant_id = m.tenant_id AND c.contact_id = m.contact_id
            WHERE m.tenant_id = $t AND m.import_id = $i AND m.contact_id > $after{filter}
            ORDER BY m.contact_id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$i", importId);
        command.Parameters.AddWithValue("$after", afterContactId ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit);
        var contacts = new List<Contact>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            contacts.Add(ReadContact(reader));
        }

        return contacts;
    }

    /// <inheritdoc />
    public async Task<T> InImportAsync<T>(TenantId tenant, Func<IImportSession, Task<T>> apply, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await SetCacheSizeAsync(connection, ImportCacheKib, cancellationToken);
        try
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var session = new ImportSession(connection, transaction, tenant);
            var result = await apply(session);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            // The connection goes back to the pool: it returns to SQLite's default cache.
            await SetCacheSizeAsync(connection, DefaultCacheKib, cancellationToken);
        }
    }

    /// <summary>
    /// Page cache of an import's connection. A large import writes contacts, three lookup indexes and
    /// its membership rows at random keys; with SQLite's default 2 MB cache most of those writes miss.
    /// </summary>
    private const int ImportCacheKib = 64 * 1024;

    private const int DefaultCacheKib = 2000;

    private static async Task SetCacheSizeAsync(SqliteConnection connection, int kib, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{kib}";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Prepared statements reused for every row of one import.</summary>
    /// <remarks>
    /// Lookups select the contact id through the matching index and read the row by its key: without
    /// statistics SQLite would otherwise walk every contact of the tenant in key order, once per row.
    /// </remarks>
    private sealed class ImportSession : IImportSession, IAsyncDisposable
    {
        private readonly SqliteCommand _byExternalId;
        private readonly SqliteCommand _byPhone;
        private readonly SqliteCommand _byEmail;
        private readonly SqliteCommand _save;
        private readonly SqliteCommand _member;
        private readonly SqliteCommand _memberLine;
        private readonly SqliteCommand _import;

        public ImportSession(SqliteConnection connection, SqliteTransaction transaction, TenantId tenant)
        {
            SqliteCommand Prepare(string sql, params string[] parameters)
            {
                var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                command.Parameters.AddWithValue("$t", tenant.Value);
                foreach (var p in parameters)
                {
                    command.Parameters.Add(new SqliteParameter(p, null));
                }

                return command;
            }

            // A row with an external id falls back to phone or email only among contacts without an
            // external id: a contact known under another external id is another person sharing the address.
            static string ByKey(string index, string column) => $"""
                SELECT {ContactColumns} FROM contacts c WHERE c.tenant_id = $t AND c.contact_id = (
                  SELECT k.contact_id FROM contacts k INDEXED BY {index}
                  WHERE k.tenant_id = $t AND k.{column} = $v AND ($ext IS NULL OR k.external_id IS NULL OR k.external_id = $ext)
                  ORDER BY k.contact_id LIMIT 1)
                """;

            _byExternalId = Prepare(ByKey("contacts_external_id", "external_id"), "$v", "$ext");
            _byPhone = Prepare(ByKey("contacts_phone", "phone"), "$v", "$ext");
            _byEmail = Prepare(ByKey("contacts_email", "email"), "$v", "$ext");
            _save = Prepare(
                """
                INSERT INTO contacts (tenant_id, contact_id, first_name, last_name, phone, email, time_zone, external_id, fields, labels, channels, invalid_phone, failure_count)
                VALUES ($t, $c, $fn, $ln, $ph, $em, $tz, $ext, $fields, $labels, $channels, $inv, $fail)
                ON CONFLICT (tenant_id, contact_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
                  phone = excluded.phone, email = excluded.email, time_zone = excluded.time_zone, external_id = excluded.external_id,
                  fields = excluded.fields, labels = excluded.labels, invalid_phone = excluded.invalid_phone, failure_count = excluded.failure_count
                """,
                "$c", "$fn", "$ln", "$ph", "$em", "$tz", "$ext", "$fields", "$labels", "$channels", "$inv", "$fail");
            _member = Prepare(
                "INSERT INTO import_members (tenant_id, import_id, contact_id, created, phone_changed, line) VALUES ($t, $i, $c, $cr, $pc, $line) ON CONFLICT DO NOTHING",
                "$i", "$c", "$cr", "$pc", "$line");
            _memberLine = Prepare("SELECT line FROM import_members WHERE tenant_id = $t AND import_id = $i AND contact_id = $c", "$i", "$c");
            _import = Prepare("INSERT INTO imports (tenant_id, import_id, label, created_at, created, updated, skipped) VALUES ($t, $i, $l, $at, $cr, $up, $sk)", "$i", "$l", "$at", "$cr", "$up", "$sk");
        }

        public async Task<Contact?> FindAsync(string? externalId, string? phone, string? email)
        {
            foreach (var (command, value) in new[] { (_byExternalId, externalId), (_byPhone, phone), (_byEmail, email) })
            {
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }

                command.Parameters["$v"].Value = value;
                command.Parameters["$ext"].Value = Db(externalId);
                await using var reader = await command.ExecuteReaderAsync();
                if (await reader.ReadAsync())
                {
                    return ReadContact(reader);
                }
            }

            return null;
        }

        public async Task SaveContactAsync(Contact contact)
        {
            var p = _save.Parameters;
            p["$c"].Value = contact.ContactId;
            p["$fn"].Value = contact.FirstName;
            p["$ln"].Value = contact.LastName;
            p["$ph"].Value = Db(contact.Phone);
            p["$em"].Value = Db(contact.Email);
            p["$tz"].Value = Db(contact.TimeZone);
            p["$ext"].Value = Db(contact.ExternalId);
            p["$fields"].Value = JsonSerializer.Serialize(contact.Fields, Json);
            p["$labels"].Value = JsonSerializer.Serialize(contact.Labels, Json);
            p["$channels"].Value = JsonSerializer.Serialize(contact.Channels, Json);
            p["$inv"].Value = contact.InvalidPhone ? 1 : 0;
            p["$fail"].Value = contact.ConsecutiveFailures;
            await _save.ExecuteNonQueryAsync();
        }

        public async Task<int?> AddMemberAsync(string importId, string contactId, bool created, bool phoneChanged, int line)
        {
            var p = _member.Parameters;
            p["$i"].Value = importId;
            p["$c"].Value = contactId;
            p["$cr"].Value = created ? 1 : 0;
            p["$pc"].Value = phoneChanged ? 1 : 0;
            p["$line"].Value = line;
            if (await _member.ExecuteNonQueryAsync() == 1)
            {
                return null;
            }

            _memberLine.Parameters["$i"].Value = importId;
            _memberLine.Parameters["$c"].Value = contactId;
            return Convert.ToInt32(await _memberLine.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async Task AddImportAsync(string importId, string? label, DateTimeOffset at, int created, int updated, int skipped)
        {
            var p = _import.Parameters;
            p["$i"].Value = importId;
            p["$l"].Value = Db(label);
            p["$at"].Value = ToUnixMs(at);
            p["$cr"].Value = created;
            p["$up"].Value = updated;
            p["$sk"].Value = skipped;
            await _import.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { _byExternalId, _byPhone, _byEmail, _save, _member, _memberLine, _import })
            {
                await command.DisposeAsync();
            }
        }
    }
}
