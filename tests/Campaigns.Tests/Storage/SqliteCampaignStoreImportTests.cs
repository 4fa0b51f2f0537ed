using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Storage;

public sealed class SqliteCampaignStoreImportTests
{
    [Fact]
    public async Task An_import_batch_probes_each_of_its_keys_through_its_index_instead_of_walking_the_tenants_contacts()
    {
        using var dir = new TempDirectory();
        var store = new SqliteCampaignStore(Path.Combine(dir.Path, "campaigns.db"));
        await store.InitializeAsync(TestContext.Current.CancellationToken);

        await using var connection = new SqliteConnection($"Data Source={store.Path};Pooling=false");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteCampaignStore.CandidatesSql;
        foreach (var name in new[] { "$t", "$i", "$ext", "$phones", "$emails" })
        {
            command.Parameters.AddWithValue(name, "[]");
        }

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                plan.Add(reader.GetString(3));
            }
        }

        // Every key is looked up by the whole index key; no step walks contacts (a batch would cost as much as the tenant).
        Assert.Contains("SEARCH k USING COVERING INDEX contacts_external_id (tenant_id=? AND external_id=?)", plan);
        Assert.Contains("SEARCH k USING COVERING INDEX contacts_phone (tenant_id=? AND phone=?)", plan);
        Assert.Contains("SEARCH k USING COVERING INDEX contacts_email (tenant_id=? AND email=?)", plan);
        Assert.Contains("SEARCH c USING PRIMARY KEY (tenant_id=? AND contact_id=?)", plan);
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN c", StringComparison.Ordinal) || step.StartsWith("SCAN k", StringComparison.Ordinal));
        SqliteConnection.ClearAllPools();
    }
}
