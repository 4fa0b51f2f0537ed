using Campaigns.Campaigns;

namespace Campaigns.Reporting;

/// <summary>
/// A tenant's campaign list kept ready for queries, answering exactly as <see cref="CampaignList.Query"/>.
/// Each row has a slot; what a query tests (section flags, Last Sent) sits in small arrays by slot, and
/// for each sort column and direction asked for so far the slots are kept in that order (a changed
/// row moves by binary search). A query is then one pass over a sorted array of ints that touches
/// the rows themselves only for the page it returns. Names and descriptions are also kept upper-cased
/// in one buffer, so a search is one vectorised scan of it rather than a string comparison per row.
/// Not thread-safe: it lives inside one grain activation.
/// </summary>
internal sealed class CampaignIndex
{
    private const byte Listed = 1;        // not cancelled
    private const byte Intro = 2;
    private const byte SentStatus = 4;
    private const byte Sending = 8;
    private const byte Upcoming = 16;
    private const byte Recurring = 32;
    private const byte HasLastSent = 64;
    private const byte Removed = 128;     // a tombstone: the slot waits for its id to come back
    private const char Separator = '\0';

    private static readonly int Orders = Enum.GetValues<CampaignSort>().Length * 2;

    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly List<int>?[] _sorted = new List<int>?[Orders];
    private readonly Comparison<CampaignRow>[] _comparers = new Comparison<CampaignRow>[Orders];
    private CampaignRow[] _rows = new CampaignRow[64];
    private byte[] _flags = new byte[64];
    private long[] _lastSent = new long[64];
    private int _count;

    // Search text: every slot's "NAME\0DESCRIPTION\0" upper-cased, one after another.
    private char[] _text = new char[4096];
    private int[] _textStart = new int[64];
    private int _textLength;
    private bool _textStale;

    public CampaignIndex()
    {
        foreach (var sort in Enum.GetValues<CampaignSort>())
        {
            _comparers[Slot(sort, false)] = CampaignList.Comparer(sort, false);
            _comparers[Slot(sort, true)] = CampaignList.Comparer(sort, true);
        }
    }

    public IEnumerable<CampaignRow> Rows => _rows.Take(_count).Where((_, slot) => (_flags[slot] & Removed) == 0);

    public CampaignRow? Get(string campaignId) => _slots.TryGetValue(campaignId, out var slot) && (_flags[slot] & Removed) == 0 ? _rows[slot] : null;

    /// <summary>Adds or replaces a row, keeping every built order sorted.</summary>
    public void Upsert(CampaignRow row)
    {
        if (!_slots.TryGetValue(row.CampaignId, out var slot))
        {
            slot = Add(row);
            foreach (var (list, comparer) in BuiltOrders())
            {
                list.Insert(InsertionPoint(list, row, comparer), slot);
            }

            return;
        }

        var previous = _rows[slot];
        var removed = (_flags[slot] & Removed) != 0;
        if (previous == row && !removed)
        {
            return;
        }

        if (!removed)
        {
            foreach (var (list, comparer) in BuiltOrders())
            {
                list.RemoveAt(Find(list, slot, comparer));
            }
        }

        Set(slot, row);
        if (previous.Name != row.Name || previous.Description != row.Description)
        {
            _textStale = true;
        }

        foreach (var (list, comparer) in BuiltOrders())
        {
            list.Insert(InsertionPoint(list, row, comparer), slot);
        }
    }

    /// <summary>Removes a row; false when there was none. Its slot stays, out of every order and section, until the id comes back.</summary>
    public bool Remove(string campaignId)
    {
        if (!_slots.TryGetValue(campaignId, out var slot) || (_flags[slot] & Removed) != 0)
        {
            return false;
        }

        foreach (var (list, comparer) in BuiltOrders())
        {
            list.RemoveAt(Find(list, slot, comparer));
        }

        _flags[slot] = Removed;
        return true;
    }

    /// <summary>Replaces every row at once; orders are built again when next asked for.</summary>
    public void Reset(IEnumerable<CampaignRow> rows)
    {
        _slots.Clear();
        _count = 0;
        _textLength = 0;
        _textStale = false;
        Array.Clear(_sorted);
        foreach (var row in rows)
        {
            if (_slots.TryGetValue(row.CampaignId, out var slot))
            {
                Set(slot, row);
                _textStale = true;
            }
            else
            {
                Add(row);
            }
        }
    }

    /// <summary>One page of the list with its counts, in one pass over the slots in the asked order.</summary>
    public CampaignListPage Query(CampaignListQuery query)
    {
        var descending = query.Descending ?? CampaignList.DefaultDescending(query.Sort);
        var order = Sorted(query.Sort, descending);
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var skip = (long)(Math.Max(query.Page, 1) - 1) * pageSize;
        var dated = CampaignList.IsDateFiltered(query);
        var from = query.LastSentFrom?.UtcTicks ?? long.MinValue;
        var to = query.LastSentTo?.UtcTicks ?? long.MaxValue;
        var matches = Search(query.Search);
        var (want, wantNone) = Members(query.Category);

        int all = 0, sent = 0, inProgress = 0, upcoming = 0, introductory = 0, recurring = 0;
        var selected = 0L;
        var items = new List<CampaignRow>(pageSize);
        var flags = _flags;
        var lastSent = _lastSent;
        foreach (var slot in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(order))
        {
            var f = flags[slot];
            if ((f & Listed) == 0
                || (dated && ((f & (Intro | HasLastSent)) != HasLastSent || lastSent[slot] < from || lastSent[slot] > to))
                || (matches is not null && !matches[slot]))
            {
                continue;
            }

            if ((f & Intro) != 0)
            {
                introductory++;
            }
            else
            {
                all++;
                sent += (f & SentStatus) != 0 ? 1 : 0;
                inProgress += (f & Sending) != 0 ? 1 : 0;
                upcoming += (f & Upcoming) != 0 ? 1 : 0;
                recurring += (f & Recurring) != 0 ? 1 : 0;
            }

            if ((f & want) == want && (f & wantNone) == 0)
            {
                if (selected >= skip && items.Count < pageSize)
                {
                    items.Add(_rows[slot]);
                }

                selected++;
            }
        }

        var counts = new CategoryCounts(all, sent, inProgress, upcoming, introductory, recurring);
        return new CampaignListPage((int)selected, items, counts, inProgress > 0, introductory > 0 && !dated);
    }

    /// <summary>The flags a section's rows have (all of <c>Want</c>, none of <c>WantNone</c>), as <see cref="CampaignList.In"/> says.</summary>
    private static (byte Want, byte WantNone) Members(CampaignCategory category) => category switch
    {
        CampaignCategory.Introductory => (Intro, 0),
        CampaignCategory.Sent => (SentStatus, Intro),
        CampaignCategory.InProgress => (Sending, Intro),
        CampaignCategory.Upcoming => (Upcoming, Intro),
        CampaignCategory.Recurring => (Recurring, Intro),
        CampaignCategory.All => (0, Intro),
        _ => (byte.MaxValue, byte.MaxValue),
    };

    /// <summary>Which slots the search matches (null: no search), by scanning the upper-cased text once.</summary>
    private bool[]? Search(string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return null;
        }

        var term = search.Trim().ToUpperInvariant();
        var matches = new bool[_count];
        if (term.Contains(Separator, StringComparison.Ordinal))
        {
            // A term holding the separator could match across fields: test each row on its own.
            for (var slot = 0; slot < _count; slot++)
            {
                matches[slot] = CampaignList.Matches(_rows[slot], search);
            }

            return matches;
        }

        if (_textStale)
        {
            RebuildText();
        }

        var text = _text.AsSpan(0, _textLength);
        var at = 0;
        while (at < text.Length)
        {
            var found = text[at..].IndexOf(term.AsSpan(), StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            var position = at + found;
            var slot = SlotAt(position);
            matches[slot] = true;
            at = slot + 1 < _count ? _textStart[slot + 1] : text.Length;
        }

        return matches;
    }

    private int SlotAt(int position)
    {
        var index = Array.BinarySearch(_textStart, 0, _count, position);
        return index >= 0 ? index : ~index - 1;
    }

    private int Add(CampaignRow row)
    {
        var slot = _count++;
        if (slot == _rows.Length)
        {
            Array.Resize(ref _rows, slot * 2);
            Array.Resize(ref _flags, slot * 2);
            Array.Resize(ref _lastSent, slot * 2);
            Array.Resize(ref _textStart, slot * 2);
        }

        _slots[row.CampaignId] = slot;
        Set(slot, row);
        AppendText(slot, row);
        return slot;
    }

    private void Set(int slot, CampaignRow row)
    {
        _rows[slot] = row;
        _lastSent[slot] = row.LastSent?.UtcTicks ?? 0;
        _flags[slot] = (byte)(
            (row.Status != CampaignStatus.Cancelled ? Listed : 0)
            | (row.IsIntroductory ? Intro : 0)
            | (row.Status == CampaignStatus.Sent ? SentStatus : 0)
            | (row.Status == CampaignStatus.Sending ? Sending : 0)
            | (row.IsUpcoming ? Upcoming : 0)
            | (row.IsRecurring ? Recurring : 0)
            | (row.LastSent is not null ? HasLastSent : 0));
    }

    private void AppendText(int slot, CampaignRow row)
    {
        var needed = _textLength + row.Name.Length + row.Description.Length + 2;
        if (needed > _text.Length)
        {
            Array.Resize(ref _text, Math.Max(needed, _text.Length * 2));
        }

        _textStart[slot] = _textLength;
        _textLength += row.Name.AsSpan().ToUpperInvariant(_text.AsSpan(_textLength));
        _text[_textLength++] = Separator;
        _textLength += row.Description.AsSpan().ToUpperInvariant(_text.AsSpan(_textLength));
        _text[_textLength++] = Separator;
    }

    private void RebuildText()
    {
        _textLength = 0;
        for (var slot = 0; slot < _count; slot++)
        {
            AppendText(slot, _rows[slot]);
        }

        _textStale = false;
    }

    private IEnumerable<(List<int> List, Comparison<CampaignRow> Comparer)> BuiltOrders()
    {
        for (var i = 0; i < Orders; i++)
        {
            if (_sorted[i] is { } list)
            {
                yield return (list, _comparers[i]);
            }
        }
    }

    private List<int> Sorted(CampaignSort sort, bool descending)
    {
        var index = Slot(sort, descending);
        if (_sorted[index] is { } list)
        {
            return list;
        }

        var comparer = _comparers[index];
        var rows = _rows;
        list = [.. Enumerable.Range(0, _count).Where(slot => (_flags[slot] & Removed) == 0)];
        list.Sort((a, b) => comparer(rows[a], rows[b]));
        _sorted[index] = list;
        return list;
    }

    /// <summary>Where a row goes in an order: the first position whose row sorts after it.</summary>
    private int InsertionPoint(List<int> list, CampaignRow row, Comparison<CampaignRow> comparer)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (comparer(_rows[list[mid]], row) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Where a slot is in an order: the order is total (the campaign id breaks every tie), so its row's insertion point.</summary>
    private int Find(List<int> list, int slot, Comparison<CampaignRow> comparer)
    {
        var at = InsertionPoint(list, _rows[slot], comparer);
        return at < list.Count && list[at] == slot ? at : throw new InvalidOperationException("The campaign list index lost a row's position.");
    }

    private static int Slot(CampaignSort sort, bool descending) => ((int)sort * 2) + (descending ? 1 : 0);
}
