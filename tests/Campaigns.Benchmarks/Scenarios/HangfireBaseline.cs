using System.Diagnostics;
using Campaigns.Channels;
using Campaigns.Storage;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The same send built the way a .NET team would without the SDK: Hangfire 1.8 with default server
/// options, one background job per message. Each job renders the text, "sends" it through the same
/// counting provider and writes its fact row to the same SQLite file. Timed from the first enqueue
/// until every job's fact is written. Two storages: PostgreSQL (durable, what a production build
/// would run: a job survives a crash like the engine's facts do) and in memory (not durable).
/// </summary>
internal static class HangfireBaseline
{
    public const string InMemoryVersion = "Hangfire.InMemory 1.0.0";

    public const string PostgreSqlVersion = "Hangfire.PostgreSql 1.21.1";

    /// <summary>Hangfire's default worker count: <c>Math.Min(Environment.ProcessorCount * 5, 20)</c>.</summary>
    public static int DefaultWorkers => new BackgroundJobServerOptions().WorkerCount;

    /// <summary>The send on Hangfire's in-memory storage (jobs lost on a crash).</summary>
    public static async Task<(double MessagesPerSecond, double FirstMessageMs)> RunInMemoryAsync(
        string databasePath, string tenant, string campaignId, IReadOnlyList<Recipient> recipients, CountingChannelProvider channel, CancellationToken cancellationToken)
    {
        using var storage = new InMemoryStorage();
        return await RunAsync(storage, databasePath, tenant, campaignId, recipients, channel, cancellationToken);
    }

    /// <summary>
    /// The send on Hangfire's PostgreSQL storage with its default options, in a schema of its own
    /// (created by Hangfire on first use and dropped afterwards, outside the timing) so that runs and
    /// other processes on the same database never share a queue.
    /// </summary>
    public static async Task<(double MessagesPerSecond, double FirstMessageMs)> RunPostgreSqlAsync(
        string postgres, string databasePath, string tenant, string campaignId, IReadOnlyList<Recipient> recipients, CountingChannelProvider channel, CancellationToken cancellationToken)
    {
        var schema = $"hangfire_bench_{Environment.ProcessId}_{campaignId.Replace('-', '_')}";
        var options = new PostgreSqlStorageOptions { SchemaName = schema };
        try
        {
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(postgres, options), options);
            return await RunAsync(storage, databasePath, tenant, campaignId, recipients, channel, cancellationToken);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>How long the last run's enqueue loop took (a diagnostic: the client's share of the time).</summary>
    public static TimeSpan Enqueued { get; private set; }

    private static async Task<(double MessagesPerSecond, double FirstMessageMs)> RunAsync(
        JobStorage storage, string databasePath, string tenant, string campaignId, IReadOnlyList<Recipient> recipients, CountingChannelProvider channel, CancellationToken cancellationToken)
    {
        var target = new HangfireSendJob.Target(TenantId.Parse(tenant), channel, $"Data Source={databasePath};Default Timeout=30", recipients.Count);
        HangfireSendJob.Current = target;
        channel.Reset();
        using (var server = new BackgroundJobServer(new BackgroundJobServerOptions(), storage))
        {
            var client = new BackgroundJobClient(storage);
            var started = Stopwatch.GetTimestamp();
            foreach (var r in recipients)
            {
                client.Enqueue(() => HangfireSendJob.SendAsync(campaignId, r.ContactId, r.Phone, r.FirstName));
            }

            Enqueued = Stopwatch.GetElapsedTime(started);
            await target.Done.Task.WaitAsync(TimeSpan.FromMinutes(30), cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var first = Stopwatch.GetElapsedTime(started, channel.FirstAt);
            server.SendStop();
            HangfireSendJob.Current = null;
            if (channel.Count != recipients.Count)
            {
                throw new InvalidOperationException($"Hangfire sent {channel.Count:N0} messages for {recipients.Count:N0} jobs.");
            }

            return (recipients.Count / elapsed.TotalSeconds, first.TotalMilliseconds);
        }
    }
}

/// <summary>The Hangfire job: one message.</summary>
public static class HangfireSendJob
{
    private static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>();

    internal static Target? Current { get; set; }

    /// <summary>Sends one message and writes its fact, as a hand-written job would.</summary>
    public static async Task SendAsync(string campaignId, string contactId, string phone, string firstName)
    {
        var target = Current ?? throw new InvalidOperationException("No Hangfire baseline is running.");
        var text = $"Hi {firstName}, registration for spring classes opens Monday. Reply STOP to opt out.";
        var message = new OutboundMessage(target.Tenant, campaignId, contactId, ChannelKind.Sms, phone, text, ClientReference.For(campaignId, contactId));
        var result = await target.Channel.SendAsync(message, NoSettings, CancellationToken.None);

        await using var connection = new SqliteConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = NORMAL; " + FactRows.InsertSentFact;
        command.Parameters.AddWithValue("$t", target.Tenant.Value);
        command.Parameters.AddWithValue("$cmp", campaignId);
        command.Parameters.AddWithValue("$c", contactId);
        command.Parameters.AddWithValue("$ch", (int)ChannelKind.Sms);
        command.Parameters.AddWithValue("$a", phone);
        command.Parameters.AddWithValue("$s", (int)(result.Accepted ? DeliveryStatus.Sent : DeliveryStatus.Failed));
        command.Parameters.AddWithValue("$m", (object?)result.MessageId ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync();
        target.Written();
    }

    internal sealed class Target(TenantId tenant, CountingChannelProvider channel, string connectionString, int expected)
    {
        private int _written;

        public TenantId Tenant { get; } = tenant;

        public CountingChannelProvider Channel { get; } = channel;

        public string ConnectionString { get; } = connectionString;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Written()
        {
            if (Interlocked.Increment(ref _written) == expected)
            {
                Done.TrySetResult();
            }
        }
    }
}
