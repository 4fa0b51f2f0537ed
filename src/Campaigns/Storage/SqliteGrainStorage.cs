using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace Campaigns.Storage;

/// <summary>
/// Orleans grain state in the embedded SQLite file, with optimistic concurrency on an integer ETag.
/// </summary>
internal sealed class SqliteGrainStorage(SqliteCampaignStore store, IGrainStorageSerializer serializer) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await store.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM grain_state WHERE grain_id = $g AND state_name = $n";
        command.Parameters.AddWithValue("$g", grainId.ToString());
        command.Parameters.AddWithValue("$n", stateName);
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            grainState.ETag = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.State = serializer.Deserialize<T>(new BinaryData((byte[])reader.GetValue(1)));
            grainState.RecordExists = true;
        }
        else
        {
            Reset(grainState);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var serialized = serializer.Serialize(grainState.State);

        // The serializer's own array when it is exactly the payload (Orleans' is): copied only otherwise.
        var payload = MemoryMarshal.TryGetArray(serialized.ToMemory(), out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : serialized.ToArray();
        var expected = grainState.ETag is { } etag ? long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) : 0;
        // Committed with other small writes queued at the same moment (SqliteGroupCommit): awaited until its batch committed.
        var changed = await store.Writes.ExecuteAsync(
            expected == 0
                ? "INSERT INTO grain_state (grain_id, state_name, etag, payload) VALUES ($g, $n, 1, $p) ON CONFLICT DO NOTHING"
                : "UPDATE grain_state SET etag = etag + 1, payload = $p WHERE grain_id = $g AND state_name = $n AND etag = $e",
            p =>
            {
                p.AddWithValue("$g", grainId.ToString());
                p.AddWithValue("$n", stateName);
                p.AddWithValue("$p", payload);
                p.AddWithValue("$e", expected);
            });
        if (changed != 1)
        {
            throw new InconsistentStateException($"State '{stateName}' of {grainId} was changed by someone else.", grainState.ETag, "unknown");
        }

        grainState.ETag = (expected + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await store.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM grain_state WHERE grain_id = $g AND state_name = $n";
        command.Parameters.AddWithValue("$g", grainId.ToString());
        command.Parameters.AddWithValue("$n", stateName);
        await command.ExecuteNonQueryAsync();
        Reset(grainState);
    }

    /// <summary>A grain with no stored record starts from its state type's default.</summary>
    private static void Reset<T>(IGrainState<T> grainState)
    {
        grainState.ETag = null;
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }
}
