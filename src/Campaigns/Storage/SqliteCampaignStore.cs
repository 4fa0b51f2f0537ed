using System.Globalization;
using System.Text.Json;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

/// <summary>
/// The embedded store: one SQLite file (WAL mode) holding contacts, imports, scripts, delivery
/// facts, durable due times and grain state. Made for one process; a cluster uses PostgreSQL.
/// </summary>
public sealed partial class SqliteCampaignStore : ICampaignStore
{
    private readonly string _connectionString;

    /// <summary>Opens (and, on <see cref="InitializeAsync"/>, creates) the database file at <paramref name="path"/>.</summary>
    public SqliteCampaignStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Writes = new SqliteGroupCommit(OpenAsync);
    }

    /// <summary>The small single-row writes (grain state, due times), committed in groups.</summary>
    internal SqliteGroupCommit Writes { get; }

    /// <summary>The database file.</summary>
    public string Path { get; }

    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);

        // The settings below belong to the SQLite handle, which the pool hands out again: set once per handle,
        // not on every open (four statements prepared and run per open cost as much as a small write).
        var handle = connection.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out _))
        {
            return connection;
        }

        using var pragma = connection.CreateCommand();
        // wal_autocheckpoint: a fan-out commits several times per page; checkpointing (and syncing the file)
        // every 64 MB of log instead of SQLite's 4 MB took the fan-out from ~17,000 to ~27,000 messages/s.
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 16384;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        if (handle is not null)
        {
            Configured.AddOrUpdate(handle, handle);
        }

        return connection;
    }

    /// <summary>The pooled SQLite handles whose per-connection settings are applied.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Configured = [];

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Schema;
        await command.ExecuteNonQueryAsync(cancellationToken);
        await MigrateSchedulingAsync(connection, cancellationToken);
        await AddMissingColumnsAsync(connection, cancellationToken);
        await MoveWebchatSessionsAsync(connection, cancellationToken);
        await InitializeReportingAsync(connection, cancellationToken);
    }

    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_id TEXT NOT NULL, state_name TEXT NOT NULL, etag INTEGER NOT NULL, payload BLOB NOT NULL,
            PRIMARY KEY (grain_id, state_name)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS contacts (
            tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL,
            first_name TEXT NOT NULL, last_name TEXT NOT NULL, phone TEXT, email TEXT, time_zone TEXT, external_id TEXT,
            fields TEXT NOT NULL, labels TEXT NOT NULL, channels TEXT NOT NULL, paused_until TEXT,
            archived INTEGER NOT NULL DEFAULT 0, invalid_phone INTEGER NOT NULL DEFAULT 0, failure_count INTEGER NOT NULL DEFAULT 0,
            webchat_session TEXT,
            PRIMARY KEY (tenant_id, contact_id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS contacts_external_id ON contacts (tenant_id, external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS contacts_phone ON contacts (tenant_id, phone) WHERE phone IS NOT NULL;
        CREATE INDEX IF NOT EXISTS contacts_email ON contacts (tenant_id, email) WHERE email IS NOT NULL;
        CREATE TABLE IF NOT EXISTS imports (
            tenant_id TEXT NOT NULL, import_id TEXT NOT NULL, label TEXT, created_at INTEGER NOT NULL,
            created INTEGER NOT NULL, updated INTEGER NOT NULL, skipped INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, import_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS import_members (
            tenant_id TEXT NOT NULL, import_id TEXT NOT NULL, contact_id TEXT NOT NULL,
            created INTEGER NOT NULL, phone_changed INTEGER NOT NULL, line INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (tenant_id, import_id, contact_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS audiences (
            tenant_id TEXT NOT NULL, audience_id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,
            rules TEXT NOT NULL, created_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, audience_id)) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS audiences_name ON audiences (tenant_id, name_key);
        CREATE TABLE IF NOT EXISTS scripts (
            tenant_id TEXT NOT NULL, script_id TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (tenant_id, script_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS delivery_facts (
            tenant_id TEXT NOT NULL, campaign_id TEXT NOT NULL, contact_id TEXT NOT NULL,
            channel INTEGER NOT NULL, address TEXT, status INTEGER NOT NULL, reason TEXT, message_id TEXT,
            sent_at INTEGER, delivered_at INTEGER,
            first_response_at INTEGER, invalid_count INTEGER NOT NULL DEFAULT 0,
            opted_out INTEGER NOT NULL DEFAULT 0, paused INTEGER NOT NULL DEFAULT 0, answers TEXT,
            PRIMARY KEY (tenant_id, campaign_id, contact_id)) WITHOUT ROWID;
        -- Delivery reports find their fact by its key (the client reference); an older file's index of message ids goes.
        DROP INDEX IF EXISTS delivery_facts_message;
        CREATE INDEX IF NOT EXISTS delivery_facts_contact ON delivery_facts (tenant_id, contact_id, sent_at) WHERE sent_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS due_work (grain_key TEXT NOT NULL PRIMARY KEY, due_at INTEGER NOT NULL) WITHOUT ROWID;
        """;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static long ToUnixMs(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static object Db(string? value) => (object?)value ?? DBNull.Value;

    private static object Db(DateTimeOffset? value) => value is { } v ? ToUnixMs(v) : DBNull.Value;

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : FromUnixMs(reader.GetInt64(ordinal));

    /// <inheritdoc />
    public async Task AddScriptAsync(TenantId tenant, Script script, DateTimeOffset createdAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO scripts (tenant_id, script_id, created_at, body) VALUES ($t, $s, $at, $body)";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$s", script.ScriptId);
        command.Parameters.AddWithValue("$at", ToUnixMs(createdAt));
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(script, Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Script?> GetScriptAsync(TenantId tenant, string scriptId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM scripts WHERE tenant_id = $t AND script_id = $s";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$s", scriptId);
        return await command.ExecuteScalarAsync(cancellationToken) is string body ? ReadScript(body) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Script>> ListScriptsAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM scripts WHERE tenant_id = $t ORDER BY created_at, script_id";
        command.Parameters.AddWithValue("$t", tenant.Value);
        var scripts = new List<Script>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            scripts.Add(ReadScript(reader.GetString(0)));
        }

        return scripts;
    }

    private static Script ReadScript(string body) =>
        JsonSerializer.Deserialize<Script>(body, Json) ?? throw new InvalidDataException("A stored script could not be read.");

    /// <inheritdoc />
    public Task SetDueAsync(string grainKey, DateTimeOffset dueAt, CancellationToken cancellationToken = default) =>
        Writes.ExecuteAsync("INSERT INTO due_work (grain_key, due_at) VALUES ($k, $at) ON CONFLICT (grain_key) DO UPDATE SET due_at = excluded.due_at", p =>
        {
            p.AddWithValue("$k", grainKey);
            p.AddWithValue("$at", ToUnixMs(dueAt));
        });

    /// <inheritdoc />
    public Task ClearDueAsync(string grainKey, CancellationToken cancellationToken = default) =>
        Writes.ExecuteAsync("DELETE FROM due_work WHERE grain_key = $k", p => p.AddWithValue("$k", grainKey));

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string GrainKey, DateTimeOffset DueAt)>> ListDueAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT grain_key, due_at FROM due_work ORDER BY due_at";
        var due = new List<(string, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add((reader.GetString(0), FromUnixMs(reader.GetInt64(1))));
        }

        return due;
    }
}
