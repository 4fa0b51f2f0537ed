using Campaigns.Contacts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    // Recurring schedules and sending hours: the once-per-schedule recipient ledger, the time a
    // waiting send may go, and an index so the scheduler reads only the due times near now.
    private const string SchedulingSchema = """
        CREATE TABLE IF NOT EXISTS schedule_recipients (
            tenant_id TEXT NOT NULL, schedule_id TEXT NOT NULL, contact_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
            PRIMARY KEY (tenant_id, schedule_id, contact_id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS due_work_due_at ON due_work (due_at, grain_key);
        """;

    private static async Task MigrateSchedulingAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = SchedulingSchema;
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('delivery_facts') WHERE name = 'wait_until'";
        if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await using var alter = connection.CreateCommand();
            alter.CommandText = """
                ALTER TABLE delivery_facts ADD COLUMN wait_until INTEGER;
                CREATE INDEX IF NOT EXISTS delivery_facts_waiting ON delivery_facts (tenant_id, campaign_id, wait_until) WHERE status = 5;
                """;
            await alter.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string GrainKey, DateTimeOffset DueAt)>> ListDueBeforeAsync(DateTimeOffset until, (DateTimeOffset DueAt, string GrainKey)? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT grain_key, due_at FROM due_work
            WHERE due_at <= $until AND (due_at > $afterAt OR (due_at = $afterAt AND grain_key > $afterKey))
            ORDER BY due_at, grain_key LIMIT $limit
            """;
        command.Parameters.AddWithValue("$until", ToUnixMs(until));
        command.Parameters.AddWithValue("$afterAt", after is { } a ? ToUnixMs(a.DueAt) : long.MinValue);
        command.Parameters.AddWithValue("$afterKey", after?.GrainKey ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit);
        var due = new List<(string, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add((reader.GetString(0), FromUnixMs(reader.GetInt64(1))));
        }

        return due;
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> ClaimScheduleRecipientsAsync(TenantId tenant, string scheduleId, string campaignId, IReadOnlyList<string> contactIds, CancellationToken cancellationToken = default)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        if (contactIds.Count == 0)
        {
            return taken;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var claim = connection.CreateCommand();
        claim.Transaction = transaction;

        // The first instance to claim a contact owns it; a repeat by the same instance finds itself the owner.
        claim.CommandText = """
            INSERT INTO schedule_recipients (tenant_id, schedule_id, contact_id, campaign_id) VALUES ($t, $s, $c, $cmp)
            ON CONFLICT DO UPDATE SET campaign_id = campaign_id
            RETURNING campaign_id
            """;
        claim.Parameters.AddWithValue("$t", tenant.Value);
        claim.Parameters.AddWithValue("$s", scheduleId);
        claim.Parameters.AddWithValue("$cmp", campaignId);
        var contact = claim.Parameters.Add("$c", SqliteType.Text);
        foreach (var id in contactIds)
        {
            contact.Value = id;
            if (await claim.ExecuteScalarAsync(cancellationToken) is string owner && owner != campaignId)
            {
                taken.Add(id);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return taken;
    }

    /// <inheritdoc />
    public Task HoldAsync(TenantId tenant, string campaignId, IReadOnlyList<(string ContactId, DateTimeOffset Until)> waits, CancellationToken cancellationToken = default) =>
        SetOpenFactsAsync(tenant, campaignId, DeliveryStatus.Waiting, "wait_until", SqliteType.Integer, waits.Select(w => (w.ContactId, (object)ToUnixMs(w.Until))).ToList(), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeliveryFact>> ReleaseDueAsync(TenantId tenant, string campaignId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        bool anyDue;
        await using (var probe = connection.CreateCommand())
        {
            // Most campaigns hold nobody: a read finds that without taking the file's write lock.
            probe.CommandText = "SELECT EXISTS (SELECT 1 FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $cmp AND status = $waiting AND wait_until <= $now)";
            probe.Parameters.AddWithValue("$t", tenant.Value);
            probe.Parameters.AddWithValue("$cmp", campaignId);
            probe.Parameters.AddWithValue("$waiting", (int)DeliveryStatus.Waiting);
            probe.Parameters.AddWithValue("$now", ToUnixMs(now));
            anyDue = Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }

        await using var transaction = anyDue ? (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken) : null;
        if (anyDue)
        {
            await using var release = connection.CreateCommand();
            release.Transaction = transaction;
            release.CommandText = """
                UPDATE delivery_facts SET status = $pending
                WHERE tenant_id = $t AND campaign_id = $cmp AND status = $waiting AND wait_until <= $now
                """;
            release.Parameters.AddWithValue("$t", tenant.Value);
            release.Parameters.AddWithValue("$cmp", campaignId);
            release.Parameters.AddWithValue("$pending", (int)DeliveryStatus.Pending);
            release.Parameters.AddWithValue("$waiting", (int)DeliveryStatus.Waiting);
            release.Parameters.AddWithValue("$now", ToUnixMs(now));
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        var facts = new List<DeliveryFact>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT {FactColumns} FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $cmp AND status = $pending ORDER BY contact_id LIMIT $limit";
            read.Parameters.AddWithValue("$t", tenant.Value);
            read.Parameters.AddWithValue("$cmp", campaignId);
            read.Parameters.AddWithValue("$pending", (int)DeliveryStatus.Pending);
            read.Parameters.AddWithValue("$limit", limit);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                facts.Add(ReadFact(reader, campaignId));
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return facts;
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> NextWaitAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MIN(wait_until) FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $cmp AND status = $waiting";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        command.Parameters.AddWithValue("$waiting", (int)DeliveryStatus.Waiting);
        return await command.ExecuteScalarAsync(cancellationToken) is long ms ? FromUnixMs(ms) : null;
    }

    /// <inheritdoc />
    public Task SkipPendingAsync(TenantId tenant, string campaignId, IReadOnlyList<(string ContactId, string Reason)> skips, CancellationToken cancellationToken = default) =>
        SetOpenFactsAsync(tenant, campaignId, DeliveryStatus.Skipped, "reason", SqliteType.Text, skips.Select(s => (s.ContactId, (object)s.Reason)).ToList(), cancellationToken);

    /// <summary>
    /// Moves each contact's fact that is still pending or waiting to <paramref name="status"/> and sets its
    /// <paramref name="column"/>, in one transaction; a fact already sent or skipped is left as it is.
    /// </summary>
    private async Task SetOpenFactsAsync(TenantId tenant, string campaignId, DeliveryStatus status, string column, SqliteType type, List<(string ContactId, object Value)> values, CancellationToken cancellationToken)
    {
        if (values.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = $"""
            UPDATE delivery_facts SET status = $status, {column} = $v
            WHERE tenant_id = $t AND campaign_id = $cmp AND contact_id = $c AND status IN ($pending, $waiting)
            """;
        update.Parameters.AddWithValue("$t", tenant.Value);
        update.Parameters.AddWithValue("$cmp", campaignId);
        update.Parameters.AddWithValue("$status", (int)status);
        update.Parameters.AddWithValue("$pending", (int)DeliveryStatus.Pending);
        update.Parameters.AddWithValue("$waiting", (int)DeliveryStatus.Waiting);
        var contact = update.Parameters.Add("$c", SqliteType.Text);
        var value = update.Parameters.Add("$v", type);
        foreach (var (contactId, v) in values)
        {
            contact.Value = contactId;
            value.Value = v;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Contact>> GetContactsAsync(TenantId tenant, IReadOnlyList<string> contactIds, CancellationToken cancellationToken = default)
    {
        var contacts = new List<Contact>(contactIds.Count);
        if (contactIds.Count == 0)
        {
            return contacts;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ContactColumns} FROM contacts c WHERE c.tenant_id = $t AND c.contact_id = $c";
        command.Parameters.AddWithValue("$t", tenant.Value);
        var id = command.Parameters.Add("$c", SqliteType.Text);
        foreach (var contactId in contactIds)
        {
            id.Value = contactId;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                contacts.Add(ReadContact(reader));
            }
        }

        return contacts;
    }
}
