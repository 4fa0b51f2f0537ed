using System.Globalization;
using System.Text;
using Campaigns.Campaigns;
using Campaigns.Scripts;
using Npgsql;
using NpgsqlTypes;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The baseline of the reporting scenario: the same campaign list rules as SQL over the same rows in a
/// PostgreSQL table, indexed as one would (Last Sent, name, status, trigram indexes for the search),
/// each query one round trip (a batch of the counts and the page).
/// </summary>
internal sealed class PostgresCampaignList : IAsyncDisposable
{
    private const string Table = "bench_campaign_rows";
    private readonly NpgsqlDataSource _source;

    private PostgresCampaignList(NpgsqlDataSource source, bool trigram)
    {
        _source = source;
        Trigram = trigram;
    }

    /// <summary>Whether the search has trigram indexes (pg_trgm could be created).</summary>
    public bool Trigram { get; }

    public static async Task<PostgresCampaignList> LoadAsync(string connectionString, string tenant, IReadOnlyList<CampaignRow> rows, IReadOnlyList<CampaignRow> otherTenantRows, CancellationToken cancellationToken)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        await using (var connection = await source.OpenConnectionAsync(cancellationToken))
        {
            await ExecuteAsync(connection, $"""
                DROP TABLE IF EXISTS {Table};
                CREATE TABLE {Table} (
                    tenant_id text NOT NULL, campaign_id text NOT NULL, schedule_id text, name text NOT NULL, description text NOT NULL,
                    is_recurring boolean NOT NULL, type smallint NOT NULL, sent integer NOT NULL, responded integer NOT NULL,
                    last_sent timestamptz, is_upcoming boolean NOT NULL, status smallint NOT NULL, is_introductory boolean NOT NULL,
                    PRIMARY KEY (tenant_id, campaign_id));
                """, cancellationToken);
            await CopyAsync(connection, tenant, rows, cancellationToken);
            await CopyAsync(connection, "bench-other", otherTenantRows, cancellationToken);
            await ExecuteAsync(connection, $"""
                CREATE INDEX ON {Table} (tenant_id, last_sent DESC NULLS LAST, campaign_id COLLATE "C");
                CREATE INDEX ON {Table} (tenant_id, (upper(name) COLLATE "C"), last_sent DESC NULLS LAST, campaign_id COLLATE "C");
                CREATE INDEX ON {Table} (tenant_id, status, last_sent DESC NULLS LAST);
                CREATE INDEX ON {Table} (tenant_id, sent, last_sent DESC NULLS LAST);
                """, cancellationToken);
            var trigram = true;
            try
            {
                await ExecuteAsync(connection, $"""
                    CREATE EXTENSION IF NOT EXISTS pg_trgm;
                    CREATE INDEX ON {Table} USING gin (name gin_trgm_ops);
                    CREATE INDEX ON {Table} USING gin (description gin_trgm_ops);
                    """, cancellationToken);
            }
            catch (PostgresException)
            {
                trigram = false;
            }

            await ExecuteAsync(connection, $"VACUUM ANALYZE {Table};", cancellationToken);
            return new PostgresCampaignList(source, trigram);
        }
    }

    /// <summary>One page of the list with its counts, asked in one round trip.</summary>
    public async Task<CampaignListPage> QueryAsync(string tenant, CampaignListQuery query, CancellationToken cancellationToken)
    {
        var (visible, parameters) = Visible(tenant, query);
        var descending = query.Descending ?? (query.Sort is CampaignSort.LastSent or CampaignSort.Sent or CampaignSort.Engagement);
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var skip = (long)(Math.Max(query.Page, 1) - 1) * pageSize;
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var counts = new NpgsqlBatchCommand($"""
            SELECT COUNT(*) FILTER (WHERE NOT is_introductory),
                   COUNT(*) FILTER (WHERE NOT is_introductory AND status = 2),
                   COUNT(*) FILTER (WHERE NOT is_introductory AND status = 1),
                   COUNT(*) FILTER (WHERE NOT is_introductory AND is_upcoming),
                   COUNT(*) FILTER (WHERE is_introductory),
                   COUNT(*) FILTER (WHERE NOT is_introductory AND is_recurring)
            FROM {Table} WHERE {visible}
            """);
        var page = new NpgsqlBatchCommand($"""
            SELECT campaign_id, schedule_id, name, description, is_recurring, type, sent, responded, last_sent, is_upcoming, status, is_introductory
            FROM {Table} WHERE {visible} AND {Category(query.Category)}
            ORDER BY {Order(query.Sort, descending)} LIMIT {pageSize} OFFSET {skip}
            """);
        foreach (var command in new[] { counts, page })
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter(name, value));
            }

            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var c = new CategoryCounts(
            (int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4), (int)reader.GetInt64(5));
        await reader.NextResultAsync(cancellationToken);
        var items = new List<CampaignRow>(pageSize);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new CampaignRow(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetBoolean(4),
                (ScriptType)reader.GetInt16(5),
                reader.GetInt32(6),
                reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.GetBoolean(9),
                (CampaignStatus)reader.GetInt16(10),
                reader.GetBoolean(11)));
        }

        var total = query.Category switch
        {
            CampaignCategory.Sent => c.Sent,
            CampaignCategory.InProgress => c.InProgress,
            CampaignCategory.Upcoming => c.Upcoming,
            CampaignCategory.Introductory => c.Introductory,
            CampaignCategory.Recurring => c.Recurring,
            _ => c.All,
        };
        var dated = query.LastSentFrom is not null || query.LastSentTo is not null;
        return new CampaignListPage(total, items, c, c.InProgress > 0, c.Introductory > 0 && !dated);
    }

    private static (string Sql, List<(string Name, object Value)> Parameters) Visible(string tenant, CampaignListQuery query)
    {
        var sql = new StringBuilder("tenant_id = @tenant AND status <> 3");
        var parameters = new List<(string, object)> { ("tenant", tenant) };
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            sql.Append(" AND (name ILIKE @pattern OR description ILIKE @pattern)");
            parameters.Add(("pattern", $"%{term}%"));
        }

        if (query.LastSentFrom is not null || query.LastSentTo is not null)
        {
            sql.Append(" AND NOT is_introductory AND last_sent IS NOT NULL");
            if (query.LastSentFrom is { } from)
            {
                sql.Append(" AND last_sent >= @from");
                parameters.Add(("from", from));
            }

            if (query.LastSentTo is { } to)
            {
                sql.Append(" AND last_sent <= @to");
                parameters.Add(("to", to));
            }
        }

        return (sql.ToString(), parameters);
    }

    private static string Category(CampaignCategory category) => category switch
    {
        CampaignCategory.Sent => "NOT is_introductory AND status = 2",
        CampaignCategory.InProgress => "NOT is_introductory AND status = 1",
        CampaignCategory.Upcoming => "NOT is_introductory AND is_upcoming",
        CampaignCategory.Introductory => "is_introductory",
        CampaignCategory.Recurring => "NOT is_introductory AND is_recurring",
        _ => "NOT is_introductory",
    };

    private static string Order(CampaignSort sort, bool descending)
    {
        var dir = descending ? "DESC" : "ASC";
        const string tieBreak = "last_sent DESC NULLS LAST, campaign_id COLLATE \"C\"";
        const string engagement = "(CASE WHEN type = 1 OR sent = 0 THEN NULL ELSE responded::float8 / sent END)";
        return sort switch
        {
            CampaignSort.Name => $"upper(name) COLLATE \"C\" {dir}, {tieBreak}",
            CampaignSort.Type => $"type {dir}, {tieBreak}",
            CampaignSort.Sent => $"sent {dir}, {tieBreak}",
            CampaignSort.Engagement => $"{engagement} IS NULL, {engagement} {dir}, {tieBreak}",
            _ => $"last_sent {dir} {(descending ? "NULLS LAST" : "NULLS FIRST")}, campaign_id COLLATE \"C\"",
        };
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string tenant, IReadOnlyList<CampaignRow> rows, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            $"COPY {Table} (tenant_id, campaign_id, schedule_id, name, description, is_recurring, type, sent, responded, last_sent, is_upcoming, status, is_introductory) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var row in rows)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(tenant, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(row.CampaignId, NpgsqlDbType.Text, cancellationToken);
            if (row.ScheduleId is { } schedule)
            {
                await import.WriteAsync(schedule, NpgsqlDbType.Text, cancellationToken);
            }
            else
            {
                await import.WriteNullAsync(cancellationToken);
            }

            await import.WriteAsync(row.Name, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(row.Description, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(row.IsRecurring, NpgsqlDbType.Boolean, cancellationToken);
            await import.WriteAsync((short)row.Type, NpgsqlDbType.Smallint, cancellationToken);
            await import.WriteAsync(row.Sent, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(row.Responded, NpgsqlDbType.Integer, cancellationToken);
            if (row.LastSent is { } at)
            {
                await import.WriteAsync(at.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            }
            else
            {
                await import.WriteNullAsync(cancellationToken);
            }

            await import.WriteAsync(row.IsUpcoming, NpgsqlDbType.Boolean, cancellationToken);
            await import.WriteAsync((short)row.Status, NpgsqlDbType.Smallint, cancellationToken);
            await import.WriteAsync(row.IsIntroductory, NpgsqlDbType.Boolean, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var connection = await _source.OpenConnectionAsync())
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Table};", CancellationToken.None);
        }

        await _source.DisposeAsync();
    }

    /// <summary>Formats a latency in milliseconds for the log.</summary>
    public static string Ms(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
