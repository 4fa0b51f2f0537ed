using BenchmarkDotNet.Attributes;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Campaigns.Storage;

namespace Campaigns.Benchmarks.Micro;

/// <summary>
/// One fan-out page of <see cref="PageSize"/> recipients, piece by piece, as the campaign grain
/// does it: read the page of contacts, render each message, and write the page's facts: claimed then
/// recorded, or once, final (a fresh page through a provider that answers at once).
/// Every figure is per message (OperationsPerInvoke = page size).
/// </summary>
[MemoryDiagnoser]
public class FanOutPageBenchmarks
{
    public const int PageSize = 1000;
    private static readonly TenantId Tenant = TenantId.Parse("micro");

    private string _folder = string.Empty;
    private SqliteCampaignStore _store = null!;
    private string _importId = "imp_micro";
    private IReadOnlyList<Contact> _page = [];
    private List<DeliveryFact> _intended = [];
    private int _campaign;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("campaigns-micro-").FullName;
        _store = new SqliteCampaignStore(Path.Combine(_folder, "campaigns.db"));
        _store.InitializeAsync().GetAwaiter().GetResult();
        _store.InImportAsync(Tenant, async session =>
        {
            var contacts = new List<ImportedContact>(PageSize);
            for (var i = 0; i < PageSize; i++)
            {
                var contact = new Contact($"ct_{i:x16}", "Ada", "Lovelace", $"+1201555{i:0000}", $"ada{i}@example.edu", "America/New_York", null,
                    new Dictionary<string, string> { ["major"] = "Mathematics" }, ["fan-out"], new Dictionary<ChannelKind, ChannelStatus>());
                contacts.Add(new ImportedContact(contact, Created: true, PhoneChanged: false, Line: i + 2));
            }

            await session.WriteAsync(_importId, contacts);
            await session.AddImportAsync(_importId, "fan-out", DateTimeOffset.UnixEpoch, PageSize, 0, 0);
            return 0;
        }).GetAwaiter().GetResult();
        _page = ReadPage().GetAwaiter().GetResult();
        _intended = _page.Select(c => new DeliveryFact(c.ContactId, ChannelKind.Sms, c.Phone, DeliveryStatus.Pending)).ToList();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = PageSize, Description = "read a page of contacts")]
    public Task<IReadOnlyList<Contact>> ReadPage() => _store.GetImportContactsAsync(Tenant, _importId, ImportSubset.All, null, PageSize);

    [Benchmark(OperationsPerInvoke = PageSize, Description = "render the message")]
    public int Render()
    {
        var length = 0;
        foreach (var contact in _page)
        {
            length += MergeFields.Render(Scenarios.FanOutScenario.MessageText, contact).Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = PageSize, Description = "write a page of facts once, final")]
    public async Task WriteOnce()
    {
        var campaign = $"cmp_once_{Interlocked.Increment(ref _campaign)}";
        var at = DateTimeOffset.UnixEpoch;
        var rows = new NewFact[_intended.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var f = _intended[i];
            rows[i] = new NewFact(f.ContactId, f.Channel, f.Address, DeliveryStatus.Sent, MessageId: Guid.NewGuid().ToString(), SentAt: at);
        }

        await _store.InsertFactsAsync(Tenant, campaign, rows);
    }

    [Benchmark(OperationsPerInvoke = PageSize, Description = "claim and record a page of facts")]
    public async Task ClaimAndRecord()
    {
        var campaign = $"cmp_{Interlocked.Increment(ref _campaign)}";
        var claimed = await _store.ClaimAsync(Tenant, campaign, _intended);
        var at = DateTimeOffset.UnixEpoch;
        await _store.RecordSendsAsync(Tenant, campaign, claimed.Select(f => new SendOutcome(f.ContactId, true, Guid.NewGuid().ToString(), null, at)).ToList());
    }
}
