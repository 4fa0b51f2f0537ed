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
        // Sized for a small page: a page size of thousands is a bound, and most recurring audiences are far smaller.
        var contacts = new List<Contact>(Math.Min(limit, 16));
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
    /// Page cache of an import's connection (KiB). New contacts and membership rows append (time-ordered
    /// ids), so the pages an import keeps writing are few; its phone and email index entries and
    /// look-ups land at random places in indexes larger than any reasonable cache, so a bigger cache
    /// saves little: at a million rows 16 MB imported as fast as 64 MB, with about 100 MB less memory.
    /// </summary>
    internal const int ImportCacheKib = 16 * 1024;

    private const int DefaultCacheKib = 2000;

    private static async Task SetCacheSizeAsync(SqliteConnection connection, int kib, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{kib}";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Every contact holding one of a batch's keys (<c>$ext</c>, <c>$phones</c>, <c>$emails</c>: JSON arrays),
    /// with the line at which import <c>$i</c> touched it. Each array is the outer loop (<c>CROSS JOIN</c>)
    /// of a probe through its named index: as a plain join SQLite walked the tenant's whole index instead.
    /// </summary>
    internal static readonly string CandidatesSql = $"""
        SELECT {ContactColumns}, m.line FROM contacts c
        LEFT JOIN import_members m ON m.tenant_id = c.tenant_id AND m.import_id = $i AND m.contact_id = c.contact_id
        WHERE c.tenant_id = $t AND c.contact_id IN (
          {Probe("$ext", "contacts_external_id", "external_id")}
          UNION {Probe("$phones", "contacts_phone", "phone")}
          UNION {Probe("$emails", "contacts_email", "email")})
        """;

    private static string Probe(string parameter, string index, string column) =>
        $"SELECT k.contact_id FROM json_each({parameter}) j CROSS JOIN contacts k INDEXED BY {index} WHERE k.tenant_id = $t AND k.{column} = j.value";

    /// <summary>Prepared statements reused for every batch of one import.</summary>
    /// <remarks>
    /// A batch's candidates are found in one statement (<see cref="CandidatesSql"/>). A batch's writes
    /// are single-row prepared statements driven through SQLite's own API (<see cref="RawStatement"/>); new contacts have
    /// time-ordered ids (<see cref="ContactIds"/>), so they append.
    /// </remarks>
    private sealed class ImportSession : IImportSession, IAsyncDisposable
    {
        private const string EmptyObject = "{}";

        private readonly SqliteCommand _candidates;
        private readonly SqliteCommand _import;
        private readonly RawStatement _insert;
        private readonly RawStatement _update;
        private readonly RawStatement _member;
        private IReadOnlyList<string>? _lastLabels;
        private string _lastLabelsJson = "[]";

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

            _candidates = Prepare(
                CandidatesSql,
                "$i",
                "$ext",
                "$phones",
                "$emails");
            const string contactValues = "$t, $c, $fn, $ln, $ph, $em, $tz, $ext, $fields, $labels, $inv, $fail";
            _insert = new RawStatement(
                connection,
                $"""
                INSERT INTO contacts (tenant_id, contact_id, first_name, last_name, phone, email, time_zone, external_id, fields, labels, invalid_phone, failure_count, channels)
                VALUES ({contactValues}, $channels)
                """,
                tenant.Value);
            _update = new RawStatement(
                connection,
                """
                UPDATE contacts SET first_name = $fn, last_name = $ln, phone = $ph, email = $em, time_zone = $tz, external_id = $ext,
                  fields = $fields, labels = $labels, invalid_phone = $inv, failure_count = $fail
                WHERE tenant_id = $t AND contact_id = $c
                """,
                tenant.Value);
            _member = new RawStatement(
                connection,
                "INSERT INTO import_members (tenant_id, import_id, contact_id, created, phone_changed, line) VALUES ($t, $i, $c, $cr, $pc, $line)",
                tenant.Value);
            _import = Prepare("INSERT INTO imports (tenant_id, import_id, label, created_at, created, updated, skipped) VALUES ($t, $i, $l, $at, $cr, $up, $sk)", "$i", "$l", "$at", "$cr", "$up", "$sk");
        }

        public async Task<IReadOnlyList<ImportCandidate>> FindCandidatesAsync(string importId, IReadOnlyCollection<string> externalIds, IReadOnlyCollection<string> phones, IReadOnlyCollection<string> emails)
        {
            var p = _candidates.Parameters;
            p["$i"].Value = importId;
            p["$ext"].Value = JsonArray(externalIds);
            p["$phones"].Value = JsonArray(phones);
            p["$emails"].Value = JsonArray(emails);
            var candidates = new List<ImportCandidate>();
            await using var reader = await _candidates.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                candidates.Add(new ImportCandidate(ReadContact(reader), reader.IsDBNull(15) ? null : reader.GetInt32(15)));
            }

            return candidates;
        }

        private static string JsonArray(IReadOnlyCollection<string> values) => values.Count == 0 ? "[]" : JsonSerializer.Serialize(values, Json);

        public Task WriteAsync(string importId, IReadOnlyList<ImportedContact> contacts)
        {
            _member.Text("$i", importId);
            foreach (var (contact, created, phoneChanged, line) in contacts)
            {
                var write = created ? _insert : _update;
                write.Text("$c", contact.ContactId);
                write.Text("$fn", contact.FirstName);
                write.Text("$ln", contact.LastName);
                write.Text("$ph", contact.Phone);
                write.Text("$em", contact.Email);
                write.Text("$tz", contact.TimeZone);
                write.Text("$ext", contact.ExternalId);
                write.Text("$fields", contact.Fields.Count == 0 ? EmptyObject : JsonSerializer.Serialize(contact.Fields, Json));
                write.Text("$labels", LabelsJson(contact.Labels));
                write.Integer("$inv", contact.InvalidPhone ? 1 : 0);
                write.Integer("$fail", contact.ConsecutiveFailures);
                if (created)
                {
                    write.Text("$channels", contact.Channels.Count == 0 ? EmptyObject : JsonSerializer.Serialize(contact.Channels, Json));
                }

                write.Run();
                _member.Text("$c", contact.ContactId);
                _member.Integer("$cr", created ? 1 : 0);
                _member.Integer("$pc", phoneChanged ? 1 : 0);
                _member.Integer("$line", line);
                _member.Run();
            }

            return Task.CompletedTask;
        }

        /// <summary>The labels as JSON; the contacts an import creates share one list, serialised once.</summary>
        private string LabelsJson(IReadOnlyList<string> labels)
        {
            if (!ReferenceEquals(labels, _lastLabels))
            {
                _lastLabelsJson = JsonSerializer.Serialize(labels, Json);
                _lastLabels = labels;
            }

            return _lastLabelsJson;
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
            foreach (var command in new[] { _candidates, _import })
            {
                await command.DisposeAsync();
            }

            _insert.Dispose();
            _update.Dispose();
            _member.Dispose();
        }
    }
}
