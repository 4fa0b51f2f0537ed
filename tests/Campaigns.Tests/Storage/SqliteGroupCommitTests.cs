using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;

namespace Campaigns.Tests.Storage;

/// <summary>
/// Small writes committed in groups: each caller's write is in the file when its task completes,
/// a write that cannot apply fails alone, and the grain state's optimistic check still holds.
/// </summary>
public sealed class SqliteGroupCommitTests
{
    [Fact]
    public async Task Two_thousand_concurrent_due_writes_are_each_in_the_file_when_their_task_completes()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        var at = CampaignsTestCluster.Epoch;

        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(() => store.SetDueAsync($"t/c{i:D4}", at.AddSeconds(i)))));
        await Task.WhenAll(Enumerable.Range(0, 2000).Where(i => i % 2 == 0).Select(i => Task.Run(() => store.ClearDueAsync($"t/c{i:D4}"))));

        // Read from a connection of its own, outside the store's pool.
        await using var connection = new SqliteConnection($"Data Source={store.Path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT grain_key, due_at FROM due_work ORDER BY grain_key";
        var rows = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        Assert.Equal(
            Enumerable.Range(0, 2000).Where(i => i % 2 == 1).Select(i => ($"t/c{i:D4}", at.AddSeconds(i).ToUnixTimeMilliseconds())),
            rows);
    }

    [Fact]
    public async Task A_write_that_cannot_apply_fails_alone_and_the_writes_batched_with_it_commit()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        const string Insert = "INSERT INTO due_work (grain_key, due_at) VALUES ($k, $at)";

        // The writer is held inside the first write while the others queue, so they share the next batch.
        using var gate = new ManualResetEventSlim();
        var first = store.Writes.ExecuteAsync(Insert, p =>
        {
            gate.Wait(TestContext.Current.CancellationToken);
            p.AddWithValue("$k", "t/first");
            p.AddWithValue("$at", 1);
        });
        var writes = Enumerable.Range(0, 100).Select(i => store.Writes.ExecuteAsync(Insert, p =>
        {
            p.AddWithValue("$k", $"t/c{i:D3}");
            p.AddWithValue("$at", i == 40 ? DBNull.Value : i); // due_at is NOT NULL: this one cannot apply
        })).ToList();
        var duplicate = store.Writes.ExecuteAsync(Insert, p =>
        {
            p.AddWithValue("$k", "t/c007"); // the primary key is taken by a write earlier in the same batch
            p.AddWithValue("$at", 7);
        });
        gate.Set();

        Assert.Equal(1, await first);
        var constraint = await Assert.ThrowsAsync<SqliteException>(() => writes[40]);
        Assert.Contains("NOT NULL", constraint.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        foreach (var write in writes.Where((_, i) => i != 40))
        {
            Assert.Equal(1, await write);
        }

        await using var connection = new SqliteConnection($"Data Source={store.Path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), sum(due_at) FROM due_work";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal((100L, 1 + Enumerable.Range(0, 100).Where(i => i != 40).Sum(i => (long)i)), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    [Fact]
    public async Task Of_two_grain_state_writes_from_the_same_version_one_wins_and_the_other_is_refused()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        var storage = new SqliteGrainStorage(store, new JsonGrainStorageSerializer());
        var grain = GrainId.Create("test", "one");
        var first = new GrainState<Box> { State = new Box("first") };
        await storage.WriteStateAsync("box", grain, first);

        // Both copies read version 1; their writes are queued at the same moment.
        var a = new GrainState<Box> { State = new Box("a"), ETag = first.ETag };
        var b = new GrainState<Box> { State = new Box("b"), ETag = first.ETag };
        var results = await Task.WhenAll(Attempt(storage.WriteStateAsync("box", grain, a)), Attempt(storage.WriteStateAsync("box", grain, b)));
        Assert.Equal(1, results.Count(r => r is null));
        Assert.IsType<InconsistentStateException>(Assert.Single(results, r => r is not null));

        var read = new GrainState<Box>();
        await storage.ReadStateAsync("box", grain, read);
        var winner = results[0] is null ? "a" : "b";
        Assert.Equal((winner, "2"), (read.State?.Value, read.ETag));

        // Two new records written at once: the first insert wins, the second finds it there.
        var fresh = GrainId.Create("test", "two");
        results = await Task.WhenAll(
            Attempt(storage.WriteStateAsync("box", fresh, new GrainState<Box> { State = new Box("x") })),
            Attempt(storage.WriteStateAsync("box", fresh, new GrainState<Box> { State = new Box("y") })));
        Assert.Equal(1, results.Count(r => r is InconsistentStateException));
    }

    private static async Task<Exception?> Attempt(Task write)
    {
        try
        {
            await write;
            return null;
        }
        catch (InconsistentStateException ex)
        {
            return ex;
        }
    }

    private static async Task<SqliteCampaignStore> StoreAsync(TempDirectory dir)
    {
        var store = new SqliteCampaignStore(Path.Combine(dir.Path, "campaigns.db"));
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        return store;
    }

    public sealed record Box(string Value);

    /// <summary>Grain state as JSON, so the test needs no Orleans serializer.</summary>
    private sealed class JsonGrainStorageSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input);

        public T Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>()!;
    }
}
