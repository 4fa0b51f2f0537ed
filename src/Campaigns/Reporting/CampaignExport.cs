using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Campaigns.Channels;
using Campaigns.Scripts;
using Campaigns.Storage;

namespace Campaigns.Reporting;

/// <summary>
/// A send's results, one row per contact it targeted (skipped ones too, with their reason), read from
/// the delivery facts page by page so any size streams through constant memory.
/// Columns: <see cref="FixedColumns"/>, then <c>q_&lt;stepId&gt;</c> per question (the contact's last answer).
/// </summary>
public sealed class CampaignExport
{
    /// <summary>The columns every export starts with, in order.</summary>
    public static readonly IReadOnlyList<string> FixedColumns =
    [
        "contact_id", "first_name", "last_name", "address", "channel", "status", "failure_reason", "sent_at",
        "delivered_at", "responded", "first_response_at", "opted_out", "paused",
    ];

    private const int AddressColumn = 3;
    private readonly ICampaignStore _store;
    private readonly TenantId _tenant;
    private readonly List<string> _questions;
    private readonly Func<AudienceMembership>? _members;
    private readonly int _pageSize;

    internal CampaignExport(ICampaignStore store, TenantId tenant, string campaignId, Script? script, Func<AudienceMembership>? members, int pageSize = 1000)
    {
        _store = store;
        _tenant = tenant;
        CampaignId = campaignId;
        _members = members;
        _pageSize = pageSize;
        _questions = script?.Steps.Where(s => s.Kind.IsQuestion()).Select(s => s.Id).ToList() ?? [];
        Columns = [.. FixedColumns, .. _questions.Select(id => "q_" + id)];
    }

    /// <summary>The send or introductory row exported.</summary>
    public string CampaignId { get; }

    /// <summary>The header: fixed columns, then one per question step.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows as plain values (no CSV quoting), in contact id order.</summary>
    public async IAsyncEnumerable<string[]> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var members = _members?.Invoke();
        await foreach (var report in _store.StreamReportFactsAsync(_tenant, CampaignId, _pageSize, cancellationToken))
        {
            if (members is null || await members.ContainsAsync(report.Fact.ContactId))
            {
                yield return Row(report);
            }
        }
    }

    /// <summary>Writes the CSV (RFC 4180, CRLF line ends) to <paramref name="output"/>, flushing after each page of rows.</summary>
    public async Task WriteCsvAsync(TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new StringBuilder(64 * 1024);
        AppendLine(buffer, [.. Columns]);
        var rows = 0;
        await foreach (var row in ReadRowsAsync(cancellationToken))
        {
            AppendLine(buffer, row);
            if (++rows % _pageSize == 0)
            {
                await output.WriteAsync(buffer, cancellationToken);
                await output.FlushAsync(cancellationToken);
                buffer.Clear();
            }
        }

        await output.WriteAsync(buffer, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static void AppendLine(StringBuilder buffer, string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                buffer.Append(',');
            }

            CsvCell.Append(buffer, cells[i], phoneAllowed: i == AddressColumn);
        }

        buffer.Append("\r\n");
    }

    private string[] Row(ReportFact report)
    {
        var f = report.Fact;
        var row = new string[Columns.Count];
        row[0] = f.ContactId;
        row[1] = report.FirstName ?? string.Empty;
        row[2] = report.LastName ?? string.Empty;
        row[3] = f.Address ?? string.Empty;
        row[4] = f.Channel.ToName();
        row[5] = StatusName(f.Status);
        row[6] = f.Status is DeliveryStatus.Failed or DeliveryStatus.Skipped ? f.Reason ?? string.Empty : string.Empty;
        row[7] = Time(f.SentAt);
        row[8] = Time(f.DeliveredAt);
        row[9] = f.Responded ? "true" : "false";
        row[10] = Time(f.FirstResponseAt);
        row[11] = f.OptedOut ? "true" : "false";
        row[12] = f.Paused ? "true" : "false";
        for (var q = 0; q < _questions.Count; q++)
        {
            row[FixedColumns.Count + q] = f.Answers?.GetValueOrDefault(_questions[q]) ?? string.Empty;
        }

        return row;
    }

    /// <summary>The export's status: waiting (held by sending hours), skipped, sent, delivered or failed.</summary>
    public static string StatusName(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Waiting => "waiting",
        DeliveryStatus.Skipped => "skipped",
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.Failed => "failed",

        // Pending is a message being handed over right now: attempted, as the list counts it.
        _ => "sent",
    };

    private static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : string.Empty;
}
