using System.Diagnostics;
using System.Text.Json;
using Campaigns.Contacts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The store's limit for an import: the rows the importer ends up writing for the same file (a
/// contact each, with its JSON columns and a time-ordered id made as the importer makes them, and an
/// import member each) inserted into a fresh database with the same schema and the import
/// connection's 64 MB page cache, in one transaction with prepared single-row inserts. The rows are
/// made in chunks outside the timing; only the inserts are timed. No lookups: this is what writing
/// the rows costs the store, not matching them.
/// </summary>
internal static class ContactsInsertBaseline
{
    private const int Chunk = 10_000;

    public static async Task<double> RunAsync(string databasePath, string tenant, int rows, CancellationToken cancellationToken)
    {
        var store = new Storage.SqliteCampaignStore(databasePath);
        await store.InitializeAsync(cancellationToken);
        await using var connection = await store.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // The page cache the store gives an import's connection.
            pragma.CommandText = "PRAGMA cache_size = -65536";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var contact = connection.CreateCommand();
        contact.Transaction = transaction;
        contact.CommandText = """
            INSERT INTO contacts (tenant_id, contact_id, first_name, last_name, phone, email, time_zone, external_id, fields, labels, channels, invalid_phone, failure_count)
            VALUES ($t, $c, $fn, $ln, $ph, $em, $tz, NULL, $fields, '["benchmark"]', '{}', 0, 0)
            """;
        contact.Parameters.AddWithValue("$t", tenant);
        var id = contact.Parameters.Add("$c", SqliteType.Text);
        var first = contact.Parameters.Add("$fn", SqliteType.Text);
        var last = contact.Parameters.Add("$ln", SqliteType.Text);
        var phone = contact.Parameters.Add("$ph", SqliteType.Text);
        var email = contact.Parameters.Add("$em", SqliteType.Text);
        var zone = contact.Parameters.Add("$tz", SqliteType.Text);
        var fields = contact.Parameters.Add("$fields", SqliteType.Text);
        await using var member = connection.CreateCommand();
        member.Transaction = transaction;
        member.CommandText = "INSERT INTO import_members (tenant_id, import_id, contact_id, created, phone_changed, line) VALUES ($t, 'imp_raw', $c, 1, 0, $line)";
        member.Parameters.AddWithValue("$t", tenant);
        var memberId = member.Parameters.Add("$c", SqliteType.Text);
        var memberLine = member.Parameters.Add("$line", SqliteType.Integer);

        var timed = TimeSpan.Zero;
        for (var start = 0; start < rows; start += Chunk)
        {
            var chunk = Enumerable.Range(start, Math.Min(Chunk, rows - start)).Select(i =>
            {
                var v = ContactsCsv.Values(i);
                var f = v.Major.Length == 0 ? "{}" : JsonSerializer.Serialize(new Dictionary<string, string> { ["major"] = v.Major });
                return (Id: ContactIds.New(TimeProvider.System), Line: i + 2, v.FirstName, v.LastName, v.Phone, v.Email, v.TimeZone, Fields: f);
            }).ToList();
            var started = Stopwatch.GetTimestamp();
            foreach (var r in chunk)
            {
                id.Value = r.Id;
                first.Value = r.FirstName;
                last.Value = r.LastName;
                phone.Value = r.Phone;
                email.Value = r.Email;
                zone.Value = (object?)r.TimeZone ?? DBNull.Value;
                fields.Value = r.Fields;
                await contact.ExecuteNonQueryAsync(cancellationToken);
                memberId.Value = r.Id;
                memberLine.Value = r.Line;
                await member.ExecuteNonQueryAsync(cancellationToken);
            }

            timed += Stopwatch.GetElapsedTime(started);
        }

        var commit = Stopwatch.GetTimestamp();
        await transaction.CommitAsync(cancellationToken);
        timed += Stopwatch.GetElapsedTime(commit);
        return rows / timed.TotalSeconds;
    }
}
