using System.Text;
using Campaigns.Contacts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Contacts;

/// <summary>What the contact test classes share: a fresh SQLite store file of their own and the importer over it.</summary>
public abstract class ContactStoreHost : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    /// <summary>The folder the store file lives in; a test may put other store files beside it.</summary>
    protected string Folder => _dir.Path;

    protected SqliteCampaignStore Store { get; private set; } = null!;

    private protected ContactImporter Importer { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Store = new SqliteCampaignStore(Path.Combine(_dir.Path, "campaigns.db"));
        await Store.InitializeAsync();
        Importer = new ContactImporter(Store, new FakeTimeProvider(CampaignsTestCluster.Epoch));
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Imports a US file for <paramref name="tenant"/>, errors and all.</summary>
    protected Task<ImportResult> ImportAsync(TenantId tenant, byte[] file, string? label = null) =>
        Importer.ImportAsync(tenant, "US", new MemoryStream(file), label, Ct);

    protected Task<ImportResult> ImportAsync(TenantId tenant, string csv, string? label = null) =>
        ImportAsync(tenant, Encoding.UTF8.GetBytes(csv), label);

    /// <summary>The rows in the store file itself, so a refused import can be shown to have written nothing.</summary>
    protected async Task<(long Contacts, long Imports, long Members)> CountRowsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Store.Path};Pooling=False");
        await connection.OpenAsync();
        async Task<long> Count(string table)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            return (long)(await command.ExecuteScalarAsync())!;
        }

        return (await Count("contacts"), await Count("imports"), await Count("import_members"));
    }
}
