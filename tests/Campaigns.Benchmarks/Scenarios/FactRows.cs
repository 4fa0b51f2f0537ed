using Microsoft.Data.Sqlite;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>A recipient as the baselines use it: who, where, and the name the message greets.</summary>
internal sealed record Recipient(string ContactId, string Phone, string FirstName);

/// <summary>Reads an import's recipients straight from the SQLite file, for the baselines (outside their timing).</summary>
internal static class FactRows
{
    public static async Task<List<Recipient>> ReadRecipientsAsync(string databasePath, string tenant, string importId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath}");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.contact_id, c.phone, c.first_name FROM import_members m
            JOIN contacts c ON c.tenant_id = m.tenant_id AND c.contact_id = m.contact_id
            WHERE m.tenant_id = $t AND m.import_id = $i ORDER BY m.contact_id LIMIT $n
            """;
        command.Parameters.AddWithValue("$t", tenant);
        command.Parameters.AddWithValue("$i", importId);
        command.Parameters.AddWithValue("$n", limit);
        var recipients = new List<Recipient>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            recipients.Add(new Recipient(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return recipients;
    }

    /// <summary>The single-row insert of a sent message's final fact, the same columns the engine's facts end with.</summary>
    public const string InsertSentFact = """
        INSERT INTO delivery_facts (tenant_id, campaign_id, contact_id, channel, address, status, reason, message_id, sent_at)
        VALUES ($t, $cmp, $c, $ch, $a, $s, NULL, $m, $at)
        """;
}
