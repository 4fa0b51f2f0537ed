using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    /// <summary>
    /// Columns added after a table was first created. <c>CREATE TABLE IF NOT EXISTS</c> leaves an
    /// older file's tables as they were, so each is added here when it is missing.
    /// </summary>
    private static readonly (string Table, string Column, string Definition)[] AddedColumns =
    [
        ("contacts", "archived", "INTEGER NOT NULL DEFAULT 0"),
        ("contacts", "invalid_phone", "INTEGER NOT NULL DEFAULT 0"),
        ("contacts", "failure_count", "INTEGER NOT NULL DEFAULT 0"),
        ("import_members", "line", "INTEGER NOT NULL DEFAULT 0"),
        ("contacts", "webchat_session", "TEXT"),
        ("delivery_facts", "invalid_steps", "TEXT"),
    ];

    /// <summary>
    /// Web-chat session ids were once kept as the custom field <c>webchatSession</c>, where contact reads,
    /// audience members and merge fields showed them. They move to their own column (once; a no-op after),
    /// and the session index is built on it. Runs after <see cref="AddMissingColumnsAsync"/>.
    /// </summary>
    private static async Task MoveWebchatSessionsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var move = connection.CreateCommand();
        move.CommandText = """
            UPDATE contacts SET webchat_session = json_extract(fields, '$.webchatSession'), fields = json_remove(fields, '$.webchatSession')
            WHERE json_type(fields, '$.webchatSession') = 'text';
            DROP INDEX IF EXISTS contacts_webchat;
            CREATE INDEX IF NOT EXISTS contacts_webchat_session ON contacts (tenant_id, webchat_session) WHERE webchat_session IS NOT NULL;
            """;
        await move.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task AddMissingColumnsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        foreach (var table in AddedColumns.Select(c => c.Table).Distinct())
        {
            var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            await using (var info = connection.CreateCommand())
            {
                info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
                await using var reader = await info.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    existing.Add(reader.GetString(0));
                }
            }

            foreach (var (_, column, definition) in AddedColumns.Where(c => c.Table == table && !existing.Contains(c.Column)))
            {
                await using var alter = connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition}";
                await alter.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
