using Campaigns.Campaigns;

namespace Campaigns.Reporting;

/// <summary>
/// The rules of the campaign list, over rows held in memory: sections, counts, search, the Last
/// Sent filter (which hides the introductory section), sorting with a stable tie-break, paging.
/// </summary>
public static class CampaignList
{
    /// <summary>Answers a query over a tenant's rows.</summary>
    public static CampaignListPage Query(IEnumerable<CampaignRow> rows, CampaignListQuery query)
    {
        var dateFiltered = IsDateFiltered(query);
        var candidates = rows.Where(r => Visible(r, query)).ToList();
        var counts = new CategoryCounts(
            All: candidates.Count(r => In(r, CampaignCategory.All)),
            Sent: candidates.Count(r => In(r, CampaignCategory.Sent)),
            InProgress: candidates.Count(r => In(r, CampaignCategory.InProgress)),
            Upcoming: candidates.Count(r => In(r, CampaignCategory.Upcoming)),
            Introductory: candidates.Count(r => In(r, CampaignCategory.Introductory)),
            Recurring: candidates.Count(r => In(r, CampaignCategory.Recurring)));

        var selected = candidates.Where(r => In(r, query.Category)).ToList();
        selected.Sort(Comparer(query.Sort, query.Descending ?? DefaultDescending(query.Sort)));
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var page = Math.Max(query.Page, 1);
        var skip = (long)(page - 1) * pageSize;
        var items = skip >= selected.Count ? [] : selected.Skip((int)skip).Take(pageSize).ToList();
        return new CampaignListPage(selected.Count, items, counts, counts.InProgress > 0, counts.Introductory > 0 && !dateFiltered);
    }

    /// <summary>Whether a row belongs to a section.</summary>
    public static bool In(CampaignRow row, CampaignCategory category) => category switch
    {
        CampaignCategory.Introductory => row.IsIntroductory,
        _ when row.IsIntroductory => false,
        CampaignCategory.All => true,
        CampaignCategory.Sent => row.Status == CampaignStatus.Sent,
        CampaignCategory.InProgress => row.Status == CampaignStatus.Sending,
        CampaignCategory.Upcoming => row.IsUpcoming,
        CampaignCategory.Recurring => row.IsRecurring,
        _ => false,
    };

    /// <summary><c>desc</c> for lastSent, sent and engagement; <c>asc</c> for name and type.</summary>
    public static bool DefaultDescending(CampaignSort sort) => sort is CampaignSort.LastSent or CampaignSort.Sent or CampaignSort.Engagement;

    /// <summary>Whether the query sets a Last Sent filter (which hides the introductory section).</summary>
    internal static bool IsDateFiltered(CampaignListQuery query) => query.LastSentFrom is not null || query.LastSentTo is not null;

    /// <summary>
    /// Whether a row is counted at all under the query's search and date filter: cancelled sends never
    /// are, and a Last Sent filter keeps only non-introductory rows sent (or due) inside it.
    /// </summary>
    internal static bool Visible(CampaignRow row, CampaignListQuery query) =>
        row.Status != CampaignStatus.Cancelled
        && Matches(row, query.Search)
        && (!IsDateFiltered(query) || (!row.IsIntroductory && row.LastSent is { } at
            && (query.LastSentFrom is not { } from || at >= from)
            && (query.LastSentTo is not { } to || at <= to)));

    /// <summary>Whether the name or description holds the search, case-insensitively (a blank search matches all).</summary>
    internal static bool Matches(CampaignRow row, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return true;
        }

        var term = search.AsSpan().Trim();
        return row.Name.AsSpan().Contains(term, StringComparison.OrdinalIgnoreCase)
            || row.Description.AsSpan().Contains(term, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The order of a sort: its column in its direction, then Last Sent descending, then campaign id.</summary>
    internal static Comparison<CampaignRow> Comparer(CampaignSort sort, bool descending) => (a, b) =>
    {
        int primary;
        if (sort == CampaignSort.Engagement && (a.Engagement is null || b.Engagement is null))
        {
            // Rows without engagement sort last in either direction.
            primary = (a.Engagement is null).CompareTo(b.Engagement is null);
        }
        else
        {
            primary = sort switch
            {
                CampaignSort.Name => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name),
                CampaignSort.Type => string.CompareOrdinal(TypeName(a), TypeName(b)),
                CampaignSort.Engagement => a.Engagement!.Value.CompareTo(b.Engagement!.Value),
                CampaignSort.Sent => a.Sent.CompareTo(b.Sent),
                _ => Nullable.Compare(a.LastSent, b.LastSent),
            };
            primary = descending ? -primary : primary;
        }

        if (primary != 0)
        {
            return primary;
        }

        var byLastSent = -Nullable.Compare(a.LastSent, b.LastSent);
        return byLastSent != 0 ? byLastSent : string.CompareOrdinal(a.CampaignId, b.CampaignId);
    };

    private static string TypeName(CampaignRow row) => row.Type == Scripts.ScriptType.Interactive ? "interactive" : "nudge";
}
