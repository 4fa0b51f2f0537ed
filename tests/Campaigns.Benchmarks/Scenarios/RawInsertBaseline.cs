using System.Diagnostics;
using Campaigns.Channels;
using Campaigns.Storage;
using Microsoft.Data.Sqlite;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The store's limit: the final fact rows of a send (the engine's columns and values, a fresh
/// vendor-style message id each) inserted into the same SQLite file with one transaction and one
/// prepared single-row insert, the fastest plain way to write them; or, with a commit every
/// <c>commitEvery</c> rows, the same insert under a sender's durability rule (a page's facts
/// committed before the next page leaves).
/// </summary>
internal static class RawInsertBaseline
{
    /// <summary>
    /// Inserts one fact per recipient for <paramref name="campaignId"/>, in one transaction or committing every
    /// <paramref name="commitEvery"/> rows; returns rows per second and CPU milliseconds per 1,000 rows.
    /// </summary>
    public static async Task<(double RowsPerSecond, double CpuMsPer1000)> RunAsync(
        string databasePath, string tenant, string campaignId, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken, int? commitEvery = null)
    {
        // The store's own connection: the same file and settings as the engine's writes.
        await using var connection = await new SqliteCampaignStore(databasePath).OpenAsync(cancellationToken);
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = FactRows.InsertSentFact;
        insert.Parameters.AddWithValue("$t", tenant);
        insert.Parameters.AddWithValue("$cmp", campaignId);
        insert.Parameters.AddWithValue("$ch", (int)ChannelKind.Sms);
        insert.Parameters.AddWithValue("$s", (int)DeliveryStatus.Sent);
        var contact = insert.Parameters.Add("$c", SqliteType.Text);
        var address = insert.Parameters.Add("$a", SqliteType.Text);
        var message = insert.Parameters.Add("$m", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        insert.Prepare();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rows = 0;
        foreach (var r in recipients)
        {
            if (commitEvery is { } every && rows > 0 && rows % every == 0)
            {
                await transaction.CommitAsync(cancellationToken);
                await transaction.DisposeAsync();
                transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                insert.Transaction = transaction;
            }

            rows++;
            contact.Value = r.ContactId;
            address.Value = r.Phone;
            message.Value = Guid.NewGuid().ToString();
            at.Value = now;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await transaction.DisposeAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return (recipients.Count / elapsed.TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / recipients.Count * 1000);
    }
}
