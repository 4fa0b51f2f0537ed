using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    /// <summary>
    /// Fact rows written since the last checkpoint this store started. A fan-out writes a random leaf of
    /// the message-id index per fact, so this many rows are roughly this many 4 KB pages of log.
    /// </summary>
    private long _factRowsSinceCheckpoint;

    private int _checkpointing;

    /// <summary>Fact rows after which a checkpoint starts beside the writes (about 32 MB of log).</summary>
    internal const int CheckpointEveryFactRows = 8192;

    /// <summary>
    /// Counts fact rows just committed; past <see cref="CheckpointEveryFactRows"/> starts a passive WAL
    /// checkpoint on another thread, so the sending path does not copy the log into the database and sync
    /// it itself. Passive: it never blocks a writer or a reader, and what a commit adds while it runs is
    /// copied by the next one. SQLite's own checkpoint (<c>wal_autocheckpoint</c>, every 64 MB) stays as the
    /// bound on the log when writes outpace this one.
    /// </summary>
    private void FactRowsWritten(int rows)
    {
        if (Interlocked.Add(ref _factRowsSinceCheckpoint, rows) < CheckpointEveryFactRows || Interlocked.CompareExchange(ref _checkpointing, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _factRowsSinceCheckpoint, 0);
        _ = Task.Run(async () =>
        {
            try
            {
                await using var connection = await OpenAsync(CancellationToken.None);
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await checkpoint.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (SqliteException)
            {
                // Best effort: the writers' own checkpoint still bounds the log.
            }
            catch (IOException)
            {
                // The file went away (a host shutting down): nothing to checkpoint.
            }
            finally
            {
                Interlocked.Exchange(ref _checkpointing, 0);
            }
        });
    }
}
