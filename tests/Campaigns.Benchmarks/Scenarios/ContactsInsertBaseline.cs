using System.Diagnostics;
using System.Text.Json;
using Campaigns.Contacts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The store's limit for an import: the rows the importer ends up writing for the same file (a
/// contact each, with its JSON columns and a time-ordered id made as the importer makes them, and an
/// import member each) inserted into a fresh database with the same schema and the import
/// connection's page cache, in one transaction, with the importer's own prepared single-row
/// inserts (the same SQL, bound the same way through <see cref="Storage.RawStatement"/>). The rows are
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
            pragma.CommandText = $"PRAGMA cache_size = -{Storage.SqliteCampaignStore.ImportCacheKib}";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // The statements and binding the importer writes with (Storage.RawStatement: SQLite's own API, positions looked up once).
        using var contact = new Storage.RawStatement(
            connection,
            """
            INSERT INTO contacts (tenant_id, contact_id, first_name, last_name, phone, email, time_zone, external_id, fields, labels, invalid_phone, failure_count, channels)
            VALUES ($t, $c, $fn, $ln, $ph, $em, $tz, $ext, $fields, $labels, $inv, $fail, $channels)
            """,
            tenant);
        using var member = new Storage.RawStatement(
            connection,
            "INSERT INTO import_members (tenant_id, import_id, contact_id, created, phone_changed, line) VALUES ($t, $i, $c, $cr, $pc, $line)",
            tenant);
        member.Text("$i", "imp_raw");

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
                contact.Text("$c", r.Id);
                contact.Text("$fn", r.FirstName);
                contact.Text("$ln", r.LastName);
                contact.Text("$ph", r.Phone);
                contact.Text("$em", r.Email);
                contact.Text("$tz", r.TimeZone);
                contact.Text("$ext", null);
                contact.Text("$fields", r.Fields);
                contact.Text("$labels", "[\"benchmark\"]");
                contact.Integer("$inv", 0);
                contact.Integer("$fail", 0);
                contact.Text("$channels", "{}");
                contact.Run();
                member.Text("$c", r.Id);
                member.Integer("$cr", 1);
                member.Integer("$pc", 0);
                member.Integer("$line", r.Line);
                member.Run();
            }

            timed += Stopwatch.GetElapsedTime(started);
        }

        var commit = Stopwatch.GetTimestamp();
        await transaction.CommitAsync(cancellationToken);
        timed += Stopwatch.GetElapsedTime(commit);
        return rows / timed.TotalSeconds;
    }
}
