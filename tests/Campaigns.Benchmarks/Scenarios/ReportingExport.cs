using System.Diagnostics;
using System.Text;
using Campaigns.Benchmarks.Runner;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Scripts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The second half of the reporting scenario: one send with <c>facts</c> delivery facts (and as many
/// contacts), exported as CSV through <c>CampaignExport.WriteCsvAsync</c> and summed up by
/// <see cref="CampaignsClient.GetInsightsAsync"/>, with the memory the export adds.
/// </summary>
internal static class ReportingExport
{
    public static async Task<(double ExportSeconds, long Bytes, double RssBeforeMb, double PeakRssMb, double PeakManagedMb, double InsightsMs)> MeasureAsync(
        CampaignsClient client, string databasePath, TenantId tenant, int facts, CancellationToken cancellationToken)
    {
        await client.PutTenantAsync(tenant, new Tenants.TenantSettings("Export benchmark", "America/New_York"));
        using var csv = new MemoryStream("phone,first_name,last_name\n2015550100,Seed,Contact\n"u8.ToArray());
        var import = await client.ImportContactsAsync(tenant, csv, cancellationToken: cancellationToken);
        var script = await client.CreateScriptAsync(tenant, new ScriptDraft("Survey", string.Empty, [new StepDraft("ask", "yesNo", "Coming?"), new StepDraft("why", "openText", "Why?")]));
        await client.SetChannelAsync(tenant, ChannelKind.Sms, "counting", new Dictionary<string, string>());
        var campaignId = await client.CreateCampaignAsync(tenant, new CampaignRequest(
            "Big send", string.Empty, script.ScriptId, ChannelKind.Sms, new Recipients(import.ImportId), CampaignSchedule.Once(ReportingRows.Now.AddYears(5))));
        await SeedAsync(databasePath, tenant.Value, campaignId, facts, cancellationToken);

        var started = Stopwatch.GetTimestamp();
        var insights = await client.GetInsightsAsync(tenant, campaignId, cancellationToken: cancellationToken)
            ?? throw new InvalidOperationException("The benchmark campaign was not found.");
        var insightsMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (insights.Sent + insights.Skipped != facts)
        {
            throw new InvalidOperationException($"Insights counted {insights.Sent + insights.Skipped:N0} of {facts:N0} facts.");
        }

        var export = await client.OpenExportAsync(tenant, campaignId) ?? throw new InvalidOperationException("No export.");
        using var memory = MemoryWatch.Start();
        var rssBefore = RssMb();
        var counter = new CountingStream();
        started = Stopwatch.GetTimestamp();
        await using (var writer = new StreamWriter(counter, new UTF8Encoding(false), 64 * 1024))
        {
            await export.WriteCsvAsync(writer, cancellationToken);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (peakRss, peakManaged) = await memory.StopAsync();
        if (counter.Lines != facts + 1)
        {
            throw new InvalidOperationException($"The export wrote {counter.Lines:N0} lines for {facts:N0} facts.");
        }

        return (seconds, counter.Length, rssBefore, peakRss, peakManaged, insightsMs);
    }

    /// <summary>Writes the contacts and facts straight into the store's file: a mix of delivered, failed and skipped, a third answered.</summary>
    private static async Task SeedAsync(string databasePath, string tenant, string campaignId, int facts, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA busy_timeout = 30000;
            BEGIN;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $count - 1)
            INSERT INTO contacts (tenant_id, contact_id, first_name, last_name, phone, fields, labels, channels)
            SELECT $t, printf('cnt_bench_%08d', i), 'First' || i, CASE WHEN i % 50 = 0 THEN '=cmd' ELSE 'Last' || i END,
                   printf('+1201555%04d', i % 10000), '{}', '[]', '{}' FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $count - 1)
            INSERT INTO delivery_facts (tenant_id, campaign_id, contact_id, channel, address, status, reason, message_id, sent_at, delivered_at, first_response_at, answers)
            SELECT $t, $c, printf('cnt_bench_%08d', i), 0, printf('+1201555%04d', i % 10000),
                   CASE WHEN i % 20 = 0 THEN 1 WHEN i % 20 = 1 THEN 4 ELSE 3 END,
                   CASE WHEN i % 20 = 0 THEN 'opted out' WHEN i % 20 = 1 THEN 'carrier: unreachable' END,
                   CASE WHEN i % 20 <> 0 THEN printf('msg-%08d', i) END,
                   CASE WHEN i % 20 <> 0 THEN $at END,
                   CASE WHEN i % 20 > 1 THEN $at + 60000 END,
                   CASE WHEN i % 3 = 0 AND i % 20 > 1 THEN $at + 600000 END,
                   CASE WHEN i % 3 = 0 AND i % 20 > 1 THEN json_object('ask', CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END, 'why', 'because, "reasons"') END
            FROM n;
            COMMIT;
            """;
        command.Parameters.AddWithValue("$t", tenant);
        command.Parameters.AddWithValue("$c", campaignId);
        command.Parameters.AddWithValue("$count", facts);
        command.Parameters.AddWithValue("$at", ReportingRows.Now.ToUnixTimeMilliseconds());
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static double RssMb()
    {
        foreach (var line in File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status") : [])
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024d;
            }
        }

        return Environment.WorkingSet / 1024d / 1024;
    }

    /// <summary>Where the CSV goes: counts bytes and lines, keeps nothing.</summary>
    private sealed class CountingStream : Stream
    {
        public long Lines { get; private set; }

        public override long Length => Position;

        public override long Position { get; set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Position += buffer.Length;
            Lines += buffer.Count((byte)'\n');
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
