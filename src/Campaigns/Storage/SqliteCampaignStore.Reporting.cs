using System.Runtime.CompilerServices;
using System.Text.Json;
using Campaigns.Campaigns;
using Campaigns.Scripts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    // The reporting read model: one row per send. (The per-question invalid answers of a fact,
    // delivery_facts.invalid_steps, is added to older files with the other added columns.)
    private const string ReportingSchema = """
        CREATE TABLE IF NOT EXISTS campaign_rows (
            tenant_id TEXT NOT NULL, campaign_id TEXT NOT NULL, schedule_id TEXT,
            name TEXT NOT NULL, description TEXT NOT NULL, is_recurring INTEGER NOT NULL, type INTEGER NOT NULL,
            sent INTEGER NOT NULL, responded INTEGER NOT NULL, last_sent INTEGER, is_upcoming INTEGER NOT NULL,
            status INTEGER NOT NULL, is_introductory INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, campaign_id)) WITHOUT ROWID;
        """;

    // Statuses that count as sent: claimed for sending, handed over, delivered, or failed by the carrier.
    private const string AttemptedStatuses = "(0, 2, 3, 4)";

    private static async Task InitializeReportingAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var create = connection.CreateCommand();
        create.CommandText = ReportingSchema;
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CampaignRow>> ListCampaignRowsAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT campaign_id, schedule_id, name, description, is_recurring, type, sent, responded, last_sent, is_upcoming, status, is_introductory
            FROM campaign_rows WHERE tenant_id = $t
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        var rows = new List<CampaignRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new CampaignRow(
                reader.GetString(0),
                NullableString(reader, 1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt32(4) != 0,
                (ScriptType)reader.GetInt32(5),
                reader.GetInt32(6),
                reader.GetInt32(7),
                NullableTime(reader, 8),
                reader.GetInt32(9) != 0,
                (CampaignStatus)reader.GetInt32(10),
                reader.GetInt32(11) != 0));
        }

        return rows;
    }

    private const string UpsertCampaignRowSql = """
                INSERT INTO campaign_rows (tenant_id, campaign_id, schedule_id, name, description, is_recurring, type, sent, responded, last_sent, is_upcoming, status, is_introductory)
                VALUES ($t, $c, $sch, $n, $d, $rec, $type, $sent, $resp, $last, $up, $st, $intro)
                ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET
                    schedule_id = excluded.schedule_id, name = excluded.name, description = excluded.description,
                    is_recurring = excluded.is_recurring, type = excluded.type, sent = excluded.sent, responded = excluded.responded,
                    last_sent = excluded.last_sent, is_upcoming = excluded.is_upcoming, status = excluded.status, is_introductory = excluded.is_introductory
                """;

    /// <inheritdoc />
    public async Task SaveCampaignRowsAsync(TenantId tenant, IReadOnlyList<CampaignRow> rows, IReadOnlyList<string> removed, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0 && removed.Count == 0)
        {
            return;
        }

        if (rows.Count == 1 && removed.Count == 0)
        {
            // One row moved (a campaign started or finished): committed with the other small writes of the moment.
            var row = rows[0];
            await Writes.ExecuteAsync(UpsertCampaignRowSql, p =>
            {
                p.AddWithValue("$t", tenant.Value);
                p.AddWithValue("$c", row.CampaignId);
                p.AddWithValue("$sch", Db(row.ScheduleId));
                p.AddWithValue("$n", row.Name);
                p.AddWithValue("$d", row.Description);
                p.AddWithValue("$rec", row.IsRecurring ? 1 : 0);
                p.AddWithValue("$type", (int)row.Type);
                p.AddWithValue("$sent", row.Sent);
                p.AddWithValue("$resp", row.Responded);
                p.AddWithValue("$last", Db(row.LastSent));
                p.AddWithValue("$up", row.IsUpcoming ? 1 : 0);
                p.AddWithValue("$st", (int)row.Status);
                p.AddWithValue("$intro", row.IsIntroductory ? 1 : 0);
            });
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (rows.Count > 0)
        {
            await using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = UpsertCampaignRowSql;
            upsert.Parameters.AddWithValue("$t", tenant.Value);
            var id = upsert.Parameters.Add("$c", SqliteType.Text);
            var schedule = upsert.Parameters.Add("$sch", SqliteType.Text);
            var name = upsert.Parameters.Add("$n", SqliteType.Text);
            var description = upsert.Parameters.Add("$d", SqliteType.Text);
            var recurring = upsert.Parameters.Add("$rec", SqliteType.Integer);
            var type = upsert.Parameters.Add("$type", SqliteType.Integer);
            var sent = upsert.Parameters.Add("$sent", SqliteType.Integer);
            var responded = upsert.Parameters.Add("$resp", SqliteType.Integer);
            var last = upsert.Parameters.Add("$last", SqliteType.Integer);
            var upcoming = upsert.Parameters.Add("$up", SqliteType.Integer);
            var status = upsert.Parameters.Add("$st", SqliteType.Integer);
            var intro = upsert.Parameters.Add("$intro", SqliteType.Integer);
            foreach (var row in rows)
            {
                id.Value = row.CampaignId;
                schedule.Value = Db(row.ScheduleId);
                name.Value = row.Name;
                description.Value = row.Description;
                recurring.Value = row.IsRecurring ? 1 : 0;
                type.Value = (int)row.Type;
                sent.Value = row.Sent;
                responded.Value = row.Responded;
                last.Value = Db(row.LastSent);
                upcoming.Value = row.IsUpcoming ? 1 : 0;
                status.Value = (int)row.Status;
                intro.Value = row.IsIntroductory ? 1 : 0;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (removed.Count > 0)
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM campaign_rows WHERE tenant_id = $t AND campaign_id = $c";
            delete.Parameters.AddWithValue("$t", tenant.Value);
            var id = delete.Parameters.Add("$c", SqliteType.Text);
            foreach (var campaignId in removed)
            {
                id.Value = campaignId;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CampaignFigures> CountFiguresAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT COALESCE(SUM(status IN {AttemptedStatuses}), 0),
                   COALESCE(SUM(status IN {AttemptedStatuses} AND first_response_at IS NOT NULL), 0),
                   MAX(sent_at)
            FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $c
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", campaignId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new CampaignFigures(reader.GetInt32(0), reader.GetInt32(1), NullableTime(reader, 2));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, CampaignFigures>> CountFiguresByCampaignAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT campaign_id, SUM(status IN {AttemptedStatuses}), SUM(status IN {AttemptedStatuses} AND first_response_at IS NOT NULL), MAX(sent_at)
            FROM delivery_facts WHERE tenant_id = $t GROUP BY campaign_id
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        var figures = new Dictionary<string, CampaignFigures>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            figures[reader.GetString(0)] = new CampaignFigures(reader.GetInt32(1), reader.GetInt32(2), NullableTime(reader, 3));
        }

        return figures;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReportFact>> ReadReportFactsAsync(TenantId tenant, string campaignId, string? afterContactId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // Keyset paging on the primary key: each page is a short read, so an export of a million rows
        // never holds a snapshot open for the whole download nor the rows in memory.
        command.CommandText = """
            SELECT f.contact_id, f.channel, f.address, f.status, f.reason, f.message_id, f.sent_at, f.delivered_at,
                   f.first_response_at, f.invalid_count, f.opted_out, f.paused, f.answers, f.invalid_steps, c.first_name, c.last_name
            FROM delivery_facts f LEFT JOIN contacts c ON c.tenant_id = f.tenant_id AND c.contact_id = f.contact_id
            WHERE f.tenant_id = $t AND f.campaign_id = $c AND f.contact_id > $after
            ORDER BY f.contact_id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", campaignId);
        command.Parameters.AddWithValue("$after", afterContactId ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit);
        var page = new List<ReportFact>(Math.Min(limit, 4096));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var fact = ReadFact(reader, campaignId);
            var invalid = reader.IsDBNull(13) ? null : JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(13), Json);
            page.Add(new ReportFact(fact, NullableString(reader, 14), NullableString(reader, 15), invalid));
        }

        return page;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ReportFact> StreamReportFactsAsync(TenantId tenant, string campaignId, int pageSize = 1000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        while (true)
        {
            var page = await ReadReportFactsAsync(tenant, campaignId, after, pageSize, cancellationToken);
            foreach (var fact in page)
            {
                yield return fact;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            after = page[^1].Fact.ContactId;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, (int Introduced, int Responded)>> CountIntroductionsAsync(TenantId tenant, DateTimeOffset? from, DateTimeOffset? before, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // Intro rows are named intro-{trigger}-{scriptId}: the range on the key stays on the primary index.
        command.CommandText = $"""
            SELECT campaign_id, COUNT(*), COUNT(first_response_at)
            FROM delivery_facts
            WHERE tenant_id = $t AND campaign_id >= 'intro-' AND campaign_id < 'intro.' AND status IN {AttemptedStatuses}
              AND ($from IS NULL OR sent_at >= $from) AND ($before IS NULL OR sent_at < $before)
            GROUP BY campaign_id
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$from", Db(from));
        command.Parameters.AddWithValue("$before", Db(before));
        var counts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = (reader.GetInt32(1), reader.GetInt32(2));
        }

        return counts;
    }
}
