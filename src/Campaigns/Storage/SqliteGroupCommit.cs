using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

/// <summary>
/// Group commit for the store's small single-row writes (grain state, due times): callers queue a
/// write and await it; one writer takes every write queued meanwhile and runs them in one
/// transaction on one connection, each statement prepared once per batch. A caller's task
/// completes only after the transaction holding its write committed, and fails if it did not, so
/// each write is as durable and as all-or-nothing as when it had a transaction of its own: a write
/// that cannot apply (a constraint) fails alone, and the rest of its batch commits without it. What
/// it saves under a burst (thousands of due schedules firing in the same second): a transaction,
/// a lock on the file and a statement preparation per write, and threads blocked in SQLite's busy
/// handler waiting for the one writer's lock.
/// </summary>
internal sealed class SqliteGroupCommit
{
    // Enough to drain a burst in few transactions, small enough that one batch holds the lock briefly.
    private const int MaxBatch = 256;

    private readonly Func<CancellationToken, Task<SqliteConnection>> _open;
    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _writer;

    public SqliteGroupCommit(Func<CancellationToken, Task<SqliteConnection>> open)
    {
        _open = open;
        _writer = new Lazy<Task>(() => Task.Run(WriteLoopAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> once, with the parameters <paramref name="bind"/> sets, in the next
    /// batch; returns the number of rows it changed once that batch committed.
    /// </summary>
    public Task<int> ExecuteAsync(string sql, Action<SqliteParameterCollection> bind)
    {
        var write = new Write(sql, bind);
        _ = _writer.Value;
        if (!_queue.Writer.TryWrite(write))
        {
            throw new InvalidOperationException("The store's writer has stopped.");
        }

        return write.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            while (batch.Count > 0)
            {
                var (changed, failed, error) = await CommitAsync(batch);
                if (error is null)
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult(changed[i]);
                    }

                    batch.Clear();
                }
                else if (failed >= 0 && !IsBusy(error))
                {
                    // One write could not apply (a constraint, a bad value): it fails alone, and the others,
                    // rolled back with it, run again in a transaction of their own.
                    batch[failed].Done.TrySetException(error);
                    batch.RemoveAt(failed);
                }
                else
                {
                    // The file itself refused (locked past the busy timeout, full, gone): nothing of the batch
                    // committed, and every write in it fails, as it would have failed alone.
                    foreach (var write in batch)
                    {
                        write.Done.TrySetException(error);
                    }

                    batch.Clear();
                }
            }
        }
    }

    /// <summary>
    /// Runs the batch in one transaction: the rows each write changed, or the error that rolled it back and
    /// the index of the write whose statement raised it (-1 when it came from opening, beginning or committing).
    /// </summary>
    private async Task<(int[] Changed, int Failed, Exception? Error)> CommitAsync(List<Write> batch)
    {
        var changed = new int[batch.Count];
        var current = -1;
        try
        {
            await using var connection = await _open(CancellationToken.None);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            var commands = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
            try
            {
                for (current = 0; current < batch.Count; current++)
                {
                    if (!commands.TryGetValue(batch[current].Sql, out var command))
                    {
                        command = connection.CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = batch[current].Sql;
                        commands.Add(batch[current].Sql, command);
                    }

                    command.Parameters.Clear();
                    batch[current].Bind(command.Parameters);
                    changed[current] = await command.ExecuteNonQueryAsync();
                }

                current = -1;
                await transaction.CommitAsync();
            }
            finally
            {
                foreach (var command in commands.Values)
                {
                    await command.DisposeAsync();
                }
            }

            return (changed, -1, null);
        }
        catch (Exception ex)
        {
            return (changed, current, ex);
        }
    }

    // SQLITE_BUSY, SQLITE_LOCKED: another writer held the file; any write of the batch would have failed the same way.
    private static bool IsBusy(Exception error) => error is SqliteException { SqliteErrorCode: 5 or 6 };

    private sealed class Write(string sql, Action<SqliteParameterCollection> bind)
    {
        public string Sql { get; } = sql;

        public Action<SqliteParameterCollection> Bind { get; } = bind;

        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
