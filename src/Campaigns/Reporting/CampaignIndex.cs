using Campaigns.Campaigns;

namespace Campaigns.Reporting;

/// <summary>
/// A tenant's campaign list kept ready for queries: the rows by id plus, for each sort column and
/// direction asked for so far, the rows kept in that order (a changed row moves by binary search),
/// so a query is one pass over an already sorted list. Answers exactly as <see cref="CampaignList.Query"/>.
/// Not thread-safe: it lives inside one grain activation.
/// </summary>
internal sealed class CampaignIndex
{
    private static readonly int Orders = Enum.GetValues<CampaignSort>().Length * 2;

    private readonly Dictionary<string, CampaignRow> _rows = new(StringComparer.Ordinal);
    private readonly List<CampaignRow>?[] _sorted = new List<CampaignRow>?[Orders];
    private readonly IComparer<CampaignRow>[] _comparers = new IComparer<CampaignRow>[Orders];

    public CampaignIndex()
    {
        foreach (var sort in Enum.GetValues<CampaignSort>())
        {
            _comparers[Slot(sort, false)] = Comparer<CampaignRow>.Create(CampaignList.Comparer(sort, false));
            _comparers[Slot(sort, true)] = Comparer<CampaignRow>.Create(CampaignList.Comparer(sort, true));
        }
    }

    public int Count => _rows.Count;

    public IEnumerable<CampaignRow> Rows => _rows.Values;

    public CampaignRow? Get(string campaignId) => _rows.GetValueOrDefault(campaignId);

    /// <summary>Adds or replaces a row, keeping every built order sorted.</summary>
    public void Upsert(CampaignRow row)
    {
        var previous = _rows.GetValueOrDefault(row.CampaignId);
        if (previous == row)
        {
            return;
        }

        _rows[row.CampaignId] = row;
        for (var slot = 0; slot < Orders; slot++)
        {
            if (_sorted[slot] is not { } list)
            {
                continue;
            }

            var comparer = _comparers[slot];
            if (previous is not null)
            {
                list.RemoveAt(list.BinarySearch(previous, comparer));
            }

            var at = list.BinarySearch(row, comparer);
            list.Insert(at < 0 ? ~at : at, row);
        }
    }

    /// <summary>Removes a row; false when there was none.</summary>
    public bool Remove(string campaignId)
    {
        if (!_rows.Remove(campaignId, out var previous))
        {
            return false;
        }

        for (var slot = 0; slot < Orders; slot++)
        {
            if (_sorted[slot] is { } list)
            {
                list.RemoveAt(list.BinarySearch(previous, _comparers[slot]));
            }
        }

        return true;
    }

    /// <summary>Replaces every row at once; orders are rebuilt when next asked for.</summary>
    public void Reset(IEnumerable<CampaignRow> rows)
    {
        _rows.Clear();
        foreach (var row in rows)
        {
            _rows[row.CampaignId] = row;
        }

        Array.Clear(_sorted);
    }

    /// <summary>One page of the list with its counts, in one pass over the rows in the asked order.</summary>
    public CampaignListPage Query(CampaignListQuery query)
    {
        var descending = query.Descending ?? CampaignList.DefaultDescending(query.Sort);
        var order = Sorted(query.Sort, descending);
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var skip = (long)(Math.Max(query.Page, 1) - 1) * pageSize;
        var search = string.IsNullOrWhiteSpace(query.Search) ? null : query.Search.Trim();
        var dateFiltered = CampaignList.IsDateFiltered(query);
        var from = query.LastSentFrom ?? DateTimeOffset.MinValue;
        var to = query.LastSentTo ?? DateTimeOffset.MaxValue;

        int all = 0, sent = 0, inProgress = 0, upcoming = 0, introductory = 0, recurring = 0;
        var selected = 0L;
        var items = new List<CampaignRow>(pageSize);
        foreach (var row in order)
        {
            if (row.Status == CampaignStatus.Cancelled)
            {
                continue;
            }

            if (dateFiltered && (row.IsIntroductory || row.LastSent is not { } at || at < from || at > to))
            {
                continue;
            }

            if (search is not null
                && !row.Name.Contains(search, StringComparison.OrdinalIgnoreCase)
                && !row.Description.Contains(search, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (row.IsIntroductory)
            {
                introductory++;
            }
            else
            {
                all++;
                sent += row.Status == CampaignStatus.Sent ? 1 : 0;
                inProgress += row.Status == CampaignStatus.Sending ? 1 : 0;
                upcoming += row.IsUpcoming ? 1 : 0;
                recurring += row.IsRecurring ? 1 : 0;
            }

            if (CampaignList.In(row, query.Category))
            {
                if (selected >= skip && items.Count < pageSize)
                {
                    items.Add(row);
                }

                selected++;
            }
        }

        var counts = new CategoryCounts(all, sent, inProgress, upcoming, introductory, recurring);
        return new CampaignListPage((int)selected, items, counts, inProgress > 0, introductory > 0 && !dateFiltered);
    }

    private List<CampaignRow> Sorted(CampaignSort sort, bool descending)
    {
        var slot = Slot(sort, descending);
        if (_sorted[slot] is { } list)
        {
            return list;
        }

        list = [.. _rows.Values];
        list.Sort(_comparers[slot]);
        _sorted[slot] = list;
        return list;
    }

    private static int Slot(CampaignSort sort, bool descending) => ((int)sort * 2) + (descending ? 1 : 0);
}
