using Campaigns.Campaigns;
using Campaigns.Hosting;
using Campaigns.Reporting;
using Campaigns.Storage;

namespace Campaigns.Grains;

/// <summary>Where rows were kept before the index had its own table; read once to move them there.</summary>
[GenerateSerializer, Alias("Campaigns.TenantIndexState")]
internal sealed class TenantIndexState
{
    [Id(0)] public Dictionary<string, CampaignRow> Rows { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A tenant's campaign list in memory (the reporting read model), keyed by the tenant id. Campaign,
/// recurrence and introduction grains publish their rows as they change (the figures they keep follow
/// the facts they write); a query never goes to the store. <see cref="Recompute"/> and
/// <see cref="Rebuild"/> count figures again from the delivery facts, and a rebuild must change
/// nothing. Each changed row is written to the store's <c>campaign_rows</c> table.
/// </summary>
internal sealed class TenantIndexGrain(
    [PersistentState("index", CampaignsDefaults.StorageName)] IPersistentState<TenantIndexState> legacy,
    ICampaignStore store) : Grain, ITenantIndexGrain, ITenantOwned
{
    private readonly CampaignIndex _index = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);

    private TenantId? _owner;

    // Parsed once per activation: the tenant guard reads it on every call.
    public TenantId Owner => _owner ??= TenantId.Parse(this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index.Reset(await store.ListCampaignRowsAsync(Owner, cancellationToken));
        if (legacy.State.Rows.Count > 0)
        {
            var moved = legacy.State.Rows.Values.Where(r => _index.Get(r.CampaignId) is null).ToList();
            foreach (var row in moved)
            {
                _index.Upsert(row);
                _dirty.Add(row.CampaignId);
            }

            await store.SaveCampaignRowsAsync(Owner, moved, [], cancellationToken);
            await legacy.ClearStateAsync(cancellationToken);
        }
    }

    public async Task Upsert(CampaignRow row)
    {
        var previous = _index.Get(row.CampaignId);

        // Responded only grows: a page's report racing a response's never takes a response back.
        var merged = previous is null ? row : row with { Responded = Math.Max(row.Responded, previous.Responded) };
        if (merged != previous)
        {
            _index.Upsert(merged);
            await store.SaveCampaignRowsAsync(Owner, [merged], []);
        }
    }

    public async Task Remove(string campaignId)
    {
        _dirty.Remove(campaignId);
        if (_index.Remove(campaignId))
        {
            await store.SaveCampaignRowsAsync(Owner, [], [campaignId]);
        }
    }

    public async Task<CampaignListPage> Query(CampaignListQuery query)
    {
        await FlushAsync();
        return _index.Query(query);
    }

    public async Task<CampaignRow?> Get(string campaignId)
    {
        await FlushAsync();
        return _index.Get(campaignId);
    }

    public async Task<IReadOnlyList<CampaignRow>> All()
    {
        await FlushAsync();
        return [.. _index.Rows.OrderBy(r => r.CampaignId, StringComparer.Ordinal)];
    }

    public async Task<CampaignRow?> Recompute(string campaignId)
    {
        _dirty.Add(campaignId);
        await FlushAsync();
        return _index.Get(campaignId);
    }

    public async Task<IndexRebuild> Rebuild(IReadOnlyList<CampaignRow> rows)
    {
        var figures = await store.CountFiguresByCampaignAsync(Owner);
        var rebuilt = new Dictionary<string, CampaignRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            rebuilt[row.CampaignId] = WithFigures(row, figures.GetValueOrDefault(row.CampaignId));
        }

        var changed = rebuilt.Values.Where(r => _index.Get(r.CampaignId) != r).ToList();
        var removed = _index.Rows.Select(r => r.CampaignId).Where(id => !rebuilt.ContainsKey(id)).ToList();
        await store.SaveCampaignRowsAsync(Owner, changed, removed);
        _index.Reset(rebuilt.Values);
        _dirty.Clear();
        return new IndexRebuild(rebuilt.Count, changed.Count + removed.Count);
    }

    /// <summary>Counts again the figures of every row whose facts changed, and saves those that moved.</summary>
    private async Task FlushAsync()
    {
        if (_dirty.Count == 0)
        {
            return;
        }

        var ids = _dirty.ToList();
        _dirty.Clear();
        var changed = new List<CampaignRow>();
        foreach (var id in ids)
        {
            if (_index.Get(id) is not { } row)
            {
                continue;
            }

            var updated = WithFigures(row, await store.CountFiguresAsync(Owner, id));
            if (updated != row)
            {
                _index.Upsert(updated);
                changed.Add(updated);
            }
        }

        await store.SaveCampaignRowsAsync(Owner, changed, []);
    }

    /// <summary>
    /// A row with its figures from the facts. A send with no facts yet (upcoming, cancelled, or
    /// targeting nobody) has sent nothing; an intro row's Last Sent is its latest intro.
    /// </summary>
    internal static CampaignRow WithFigures(CampaignRow row, CampaignFigures? figures) => row with
    {
        Sent = figures?.Sent ?? 0,
        Responded = figures?.Responded ?? 0,
        LastSent = row.IsIntroductory ? figures?.LastSentAt ?? row.LastSent : row.LastSent,
    };
}
