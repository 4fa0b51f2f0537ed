using Campaigns.Scheduling;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Scheduling;

public sealed class DueWorkSchedulerTests
{
    [Fact]
    public async Task Of_100000_remembered_due_times_only_those_within_the_horizon_are_held_as_timers()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        var scheduler = env.Services.GetRequiredService<DueWorkScheduler>();
        await env.SweepAsync();
        var before = scheduler.ArmedCount;

        // 100,000 schedules due over the next nine days, 7 of them within the next ten minutes.
        await using (var connection = new SqliteConnection($"Data Source={env.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var transaction = connection.BeginTransaction();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO due_work (grain_key, due_at) VALUES ($k, $at)";
            var key = insert.Parameters.Add("$k", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            for (var i = 0; i < 100_000; i++)
            {
                key.Value = DueWorkScheduler.ScheduleKey($"bulk/rec_{i:x16}");
                at.Value = (i < 7 ? clock.GetUtcNow().AddMinutes(1 + i) : clock.GetUtcNow().AddHours(1).AddSeconds(i * 8)).ToUnixTimeMilliseconds();
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        await env.SweepAsync();
        Assert.Equal(before + 7, scheduler.ArmedCount);

        // As time goes on, the sweep arms the next ones as they come within reach (and the fired ones are let go).
        clock.Advance(TimeSpan.FromMinutes(55));
        await env.SweepAsync();
        var reach = clock.GetUtcNow().AddMinutes(10);
        var expected = Enumerable.Range(7, 100_000 - 7).Count(i => CampaignsTestCluster.Epoch.AddHours(1).AddSeconds(i * 8) <= reach);
        Assert.Equal(31, expected);
        Assert.Equal(before + expected, scheduler.ArmedCount);
    }
}
