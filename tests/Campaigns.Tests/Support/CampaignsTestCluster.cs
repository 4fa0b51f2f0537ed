using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Channels.Dev;
using Campaigns.Contacts;
using Campaigns.Hosting;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Campaigns.Tests.Support;

/// <summary>
/// A one-silo in-process Orleans cluster running the Campaigns engine on a real SQLite file,
/// with a fake clock and the dev channel. Several clusters can share one <see cref="DataDirectory"/>
/// one after the other (a host restart).
/// </summary>
internal sealed class CampaignsTestCluster : IAsyncDisposable
{
    /// <summary>Three contacts with a custom field; the phones are valid US numbers.</summary>
    public const string ThreeContactsCsv = """
        phone,first_name,last_name,major
        2015550101,Ada,Lovelace,Mathematics
        2015550102,Grace,Hopper,Computer Science
        2015550103,Alan,Turing,Logic
        """;

    /// <summary>Five contacts without custom fields; the phones are valid US numbers, in import order.</summary>
    public const string FiveContactsCsv = """
        phone,first_name,last_name
        2015550111,One,A
        2015550112,Two,B
        2015550113,Three,C
        2015550114,Four,D
        2015550115,Five,E
        """;

    public static readonly DateTimeOffset Epoch = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private CampaignsTestCluster(InProcessTestCluster cluster, FakeTimeProvider clock, string dataDirectory)
    {
        Cluster = cluster;
        Clock = clock;
        DataDirectory = dataDirectory;
    }

    public InProcessTestCluster Cluster { get; }

    public FakeTimeProvider Clock { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "campaigns.db");

    public IServiceProvider Services => Cluster.GetSiloServiceProvider();

    public CampaignsClient Client => Services.GetRequiredService<CampaignsClient>();

    public DevOutbox Outbox => Services.GetRequiredService<DevOutbox>();

    public ICampaignStore Store => Services.GetRequiredService<ICampaignStore>();

    /// <summary>Awaits the wakes the fake clock's timers started (call after <c>Advance</c>).</summary>
    public Task SettledAsync() => Services.GetRequiredService<global::Campaigns.Scheduling.DueWorkScheduler>().IdleAsync();

    public CampaignsOptions Options => Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CampaignsOptions>>().Value;

    public static async Task<CampaignsTestCluster> StartAsync(
        string dataDirectory,
        FakeTimeProvider clock,
        Action<CampaignsOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var databasePath = Path.Combine(dataDirectory, "campaigns.db");
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseCampaignsSqliteStore(databasePath).AddCampaigns(o =>
            {
                o.TimeProvider = clock;
                configure?.Invoke(o);
            });
            silo.Services.AddCampaignsDevChannel();
            services?.Invoke(silo.Services);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new CampaignsTestCluster(cluster, clock, dataDirectory);
    }

    /// <summary>Creates a tenant, imports <paramref name="csv"/> and saves a script; returns the import and script ids.</summary>
    public async Task<(string ImportId, Script Script)> SeedAsync(TenantId tenant, string csv, params StepDraft[] steps)
    {
        await Client.PutTenantAsync(tenant, new TenantSettings($"Tenant {tenant}", "Etc/UTC"));
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var import = await Client.ImportContactsAsync(tenant, stream);
        Assert.Empty(import.Errors);
        var script = await Client.CreateScriptAsync(tenant, new ScriptDraft("Welcome", "First contact", steps));
        return (import.ImportId, script);
    }

    public static CampaignRequest Request(string importId, string scriptId, CampaignSchedule schedule) =>
        new("Spring welcome", "Says hello", scriptId, ChannelKind.Sms, new Recipients(importId), schedule);

    /// <summary>The stored delivery facts of a campaign, straight from the SQLite file.</summary>
    public async Task<IReadOnlyList<(string ContactId, DeliveryStatus Status, string? Address, string? MessageId)>> ReadFactsAsync(TenantId tenant, string campaignId)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT contact_id, status, address, message_id FROM delivery_facts WHERE tenant_id = $t AND campaign_id = $c ORDER BY contact_id";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", campaignId);
        var facts = new List<(string, DeliveryStatus, string?, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            facts.Add((reader.GetString(0), (DeliveryStatus)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return facts;
    }

    /// <summary>The remembered due times, straight from the SQLite file.</summary>
    public async Task<IReadOnlyList<string>> ReadDueKeysAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT grain_key FROM due_work ORDER BY grain_key";
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>A fresh folder for one test's SQLite file, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("campaigns-tests-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; the OS temp folder is cleaned eventually.
        }
    }
}

/// <summary>Timeouts for awaiting asynchronous outcomes (never sleeps).</summary>
internal static class Within
{
    public static CancellationToken Seconds(int seconds)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        return cts.Token;
    }
}
