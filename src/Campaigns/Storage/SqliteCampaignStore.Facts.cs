using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<DeliveryFact>> ClaimAsync(TenantId tenant, string campaignId, IReadOnlyList<DeliveryFact> facts, CancellationToken cancellationToken = default)
    {
        if (facts.Count == 0)
        {
            return [];
        }

        // One statement per page, its rows passed as one JSON array: binding named parameters row by
        // row cost more than the inserts themselves. RETURNING names the rows this call inserted; only
        // the others (a resumed page) are read back.
        var inserted = new HashSet<string>(facts.Count, StringComparer.Ordinal);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO delivery_facts (tenant_id, campaign_id, contact_id, channel, address, status, reason)
                SELECT $t, $cmp, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each($facts) WHERE true
                ON CONFLICT DO NOTHING RETURNING contact_id
                """;
            insert.Parameters.AddWithValue("$t", tenant.Value);
            insert.Parameters.AddWithValue("$cmp", campaignId);
            insert.Parameters.AddWithValue("$facts", JsonRows(facts, static (w, f) =>
            {
                w.WriteStringValue(f.ContactId);
                w.WriteNumberValue((int)f.Channel);
                WriteNullable(w, f.Address);
                w.WriteNumberValue((int)f.Status);
                WriteNullable(w, f.Reason);
            }));
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        Dictionary<string, DeliveryFact>? existing = null;
        if (inserted.Count < facts.Count)
        {
            existing = new Dictionary<string, DeliveryFact>(StringComparer.Ordinal);
            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = $"""
                SELECT {FactColumns} FROM delivery_facts
                WHERE tenant_id = $t AND campaign_id = $cmp AND contact_id IN (SELECT value FROM json_each($ids))
                """;
            read.Parameters.AddWithValue("$t", tenant.Value);
            read.Parameters.AddWithValue("$cmp", campaignId);
            read.Parameters.AddWithValue("$ids", JsonRows(facts.Where(f => !inserted.Contains(f.ContactId)).Select(f => f.ContactId).ToList(), static (w, id) => w.WriteStringValue(id), nested: false));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var fact = ReadFact(reader, campaignId);
                existing[fact.ContactId] = fact;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        var stored = new List<DeliveryFact>(facts.Count);
        foreach (var fact in facts)
        {
            if (inserted.Contains(fact.ContactId))
            {
                stored.Add(new DeliveryFact(fact.ContactId, fact.Channel, fact.Address, fact.Status, fact.Reason, CampaignId: campaignId));
            }
            else if (existing is not null && existing.TryGetValue(fact.ContactId, out var found))
            {
                stored.Add(found);
            }
        }

        return stored;
    }

    // Read only by SQLite's JSON functions: no HTML-safe escaping (it would turn every '+' of a phone into \u002B).
    private static readonly JsonWriterOptions JsonRowsOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>Rows as one JSON array (of arrays unless <paramref name="nested"/> is false), for <c>json_each</c>.</summary>
    private static string JsonRows<T>(IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> write, bool nested = true)
    {
        var buffer = new ArrayBufferWriter<byte>(rows.Count * 96);
        using (var writer = new Utf8JsonWriter(buffer, JsonRowsOptions))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                if (nested)
                {
                    writer.WriteStartArray();
                }

                write(writer, row);
                if (nested)
                {
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static DeliveryFact ReadFact(SqliteDataReader reader, string campaignId) => new(
        reader.GetString(0),
        (Channels.ChannelKind)reader.GetInt32(1),
        NullableString(reader, 2),
        (DeliveryStatus)reader.GetInt32(3),
        NullableString(reader, 4),
        NullableString(reader, 5),
        NullableTime(reader, 6),
        NullableTime(reader, 7),
        campaignId,
        NullableTime(reader, 8),
        reader.GetInt32(9),
        reader.GetInt32(10) != 0,
        reader.GetInt32(11) != 0,
        reader.IsDBNull(12) ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(12), Json));

    private const string FactColumns = "contact_id, channel, address, status, reason, message_id, sent_at, delivered_at, first_response_at, invalid_count, opted_out, paused, answers";

    /// <inheritdoc />
    public async Task InsertFactsAsync(TenantId tenant, string campaignId, IReadOnlyList<NewFact> facts, CancellationToken cancellationToken = default)
    {
        if (facts.Count == 0)
        {
            return;
        }

        // One transaction per page, one prepared single-row insert through SQLite's own API (RawStatement:
        // positions looked up once, text encoded into one reused buffer). Against the page as one JSON array
        // through json_each: about 2.5 µs less CPU a row (no JSON to build, parse and extract) and no
        // 100 to 200 KB string per page.
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using (var insert = new RawStatement(connection, InsertFactSql, tenant.Value))
        {
            insert.Text("$cmp", campaignId);
            foreach (var fact in facts)
            {
                insert.Text("$c", fact.ContactId);
                insert.Integer("$ch", (int)fact.Channel);
                insert.Text("$a", fact.Address);
                insert.Integer("$s", (int)fact.Status);
                insert.Text("$r", fact.Reason);
                insert.Text("$m", fact.MessageId);
                insert.Integer("$at", fact.SentAt is { } at ? ToUnixMs(at) : null);
                insert.Integer("$w", fact.WaitUntil is { } until ? ToUnixMs(until) : null);
                insert.Run();
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private const string InsertFactSql = """
        INSERT INTO delivery_facts (tenant_id, campaign_id, contact_id, channel, address, status, reason, message_id, sent_at, wait_until)
        VALUES ($t, $cmp, $c, $ch, $a, $s, $r, $m, $at, $w)
        ON CONFLICT DO NOTHING
        """;

    /// <inheritdoc />
    public async Task<string?> LastFactAfterAsync(TenantId tenant, string campaignId, string? after, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(contact_id) FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $cmp AND contact_id > $after";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        command.Parameters.AddWithValue("$after", after ?? string.Empty);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <inheritdoc />
    public async Task RecordSendsAsync(TenantId tenant, string campaignId, IReadOnlyList<SendOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        // One statement (so one transaction) per batch, its rows as one JSON array. MATERIALIZED makes
        // SQLite walk the batch and look each fact up by key, instead of scanning the campaign's facts.
        await using var connection = await OpenAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.CommandText = """
            WITH sends (contact_id, status, message_id, reason, sent_at) AS MATERIALIZED (
                SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each($outcomes))
            UPDATE delivery_facts SET status = sends.status, message_id = sends.message_id, reason = sends.reason, sent_at = sends.sent_at
            FROM sends
            WHERE delivery_facts.tenant_id = $t AND delivery_facts.campaign_id = $cmp AND delivery_facts.contact_id = sends.contact_id
              AND delivery_facts.status = $pending
            """;
        update.Parameters.AddWithValue("$t", tenant.Value);
        update.Parameters.AddWithValue("$cmp", campaignId);
        update.Parameters.AddWithValue("$pending", (int)DeliveryStatus.Pending);
        update.Parameters.AddWithValue("$outcomes", JsonRows(outcomes, static (w, o) =>
        {
            w.WriteStringValue(o.ContactId);
            w.WriteNumberValue((int)(o.Accepted ? DeliveryStatus.Sent : DeliveryStatus.Failed));
            WriteNullable(w, o.MessageId);
            WriteNullable(w, o.FailureReason);
            w.WriteNumberValue(ToUnixMs(o.At));
        }));
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<DeliveryFact?> RecordDeliveryAsync(TenantId tenant, string campaignId, string contactId, string messageId, bool delivered, string? reason, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var newStatus = delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // Only a message that left can be reported on, and a repeated report changes nothing. The fact is
        // found by its key, not by an index of message ids: provider ids are random, and keeping such an
        // index cost the fan-out a log page per message at every page's commit.
        command.CommandText = $"""
            UPDATE delivery_facts SET status = $s, reason = $r, delivered_at = CASE WHEN $s = $delivered THEN $at ELSE delivered_at END
            WHERE tenant_id = $t AND campaign_id = $cmp AND contact_id = $c AND message_id = $m
                AND status IN ($sent, $delivered, $failed) AND status <> $s
            RETURNING {FactColumns}
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        command.Parameters.AddWithValue("$c", contactId);
        command.Parameters.AddWithValue("$m", messageId);
        command.Parameters.AddWithValue("$s", (int)newStatus);
        command.Parameters.AddWithValue("$r", Db(delivered ? null : reason ?? "carrier reported failure"));
        command.Parameters.AddWithValue("$at", ToUnixMs(at));
        command.Parameters.AddWithValue("$sent", (int)DeliveryStatus.Sent);
        command.Parameters.AddWithValue("$delivered", (int)DeliveryStatus.Delivered);
        command.Parameters.AddWithValue("$failed", (int)DeliveryStatus.Failed);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadFact(reader, campaignId) : null;
    }

    /// <inheritdoc />
    public async Task<DeliveryFact?> RecordResponseAsync(TenantId tenant, string campaignId, string contactId, FactResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE delivery_facts SET
                first_response_at = COALESCE(first_response_at, $at),
                invalid_count = invalid_count + $invalid,
                opted_out = MAX(opted_out, $out),
                paused = MAX(paused, $paused),
                answers = CASE WHEN $step IS NULL THEN answers ELSE json_set(COALESCE(answers, json_object()), '$.' || json_quote($step), $answer) END,
                invalid_steps = CASE WHEN $invalid = 0 OR $istep IS NULL THEN invalid_steps
                    ELSE json_set(COALESCE(invalid_steps, json_object()), '$.' || json_quote($istep),
                        COALESCE(json_extract(invalid_steps, '$.' || json_quote($istep)), 0) + 1) END
            WHERE tenant_id = $t AND campaign_id = $cmp AND contact_id = $c
            RETURNING {FactColumns}
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        command.Parameters.AddWithValue("$c", contactId);
        command.Parameters.AddWithValue("$at", ToUnixMs(response.At));
        command.Parameters.AddWithValue("$invalid", response.Invalid ? 1 : 0);
        command.Parameters.AddWithValue("$out", response.OptedOut ? 1 : 0);
        command.Parameters.AddWithValue("$paused", response.Paused ? 1 : 0);
        command.Parameters.AddWithValue("$step", Db(response.Answer is null ? null : response.StepId));
        command.Parameters.AddWithValue("$answer", Db(response.Answer));
        command.Parameters.AddWithValue("$istep", Db(response.Invalid ? response.StepId : null));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadFact(reader, campaignId) : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DeliveryFact> ReadFactsAsync(TenantId tenant, string campaignId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {FactColumns} FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $cmp ORDER BY contact_id";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadFact(reader, campaignId);
        }
    }

    /// <inheritdoc />
    public async Task<FactCounts> CountFactsAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT status, COUNT(*), COUNT(first_response_at), SUM(opted_out), SUM(paused), SUM(invalid_count)
            FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $cmp GROUP BY status
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        var counts = new int[6];
        int responded = 0, optedOut = 0, paused = 0, invalid = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetInt32(0)] = reader.GetInt32(1);
            responded += reader.GetInt32(2);
            optedOut += reader.GetInt32(3);
            paused += reader.GetInt32(4);
            invalid += reader.GetInt32(5);
        }

        return new FactCounts(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], responded, optedOut, paused, invalid);
    }
}
