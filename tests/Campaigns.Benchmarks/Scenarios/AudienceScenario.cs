using System.Diagnostics;
using Campaigns.Benchmarks.Runner;
using Campaigns.Contacts;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Issue 3's audience evaluation over the contacts the import scenario just wrote: an audience of
/// three rules (a custom field <c>is</c>, a label <c>is</c>, <c>email exists</c>) counted, streamed
/// whole through <see cref="CampaignsClient.AudienceMemberIdsAsync"/>, and listed at its first and last page.
/// </summary>
internal static class AudienceScenario
{
    public const string Note =
        "audience*: after each run's import, an audience (major is \"Mathematics\", label is \"benchmark\", email exists: one contact in twelve) over the same SQLite file. "
        + "audienceCountMs: CampaignsClient.GetAudienceMembersAsync page 1 of 50 (the total counts every member, then the page); "
        + "audienceFirstMemberMs / audienceMembersPerSecond: CampaignsClient.AudienceMemberIdsAsync (the store's keyset pages of 5,000 ids, what a send and insights' audience filter read) from the call to the first id, and members / time to the last; "
        + "audienceLastPageMs: the members listing's last page of 50 (the total again, then the page: the HTTP route's page numbers are an offset, so the store evaluates every member before it); "
        + "audiencePeakMemoryMb: the highest peak resident set (VmHWM reset before the evaluation) over the runs. The ids streamed are checked against the file: exactly the expected members, in order, each once.";

    public sealed record Result(int Members, double CountMs, double FirstMemberMs, double MembersPerSecond, double LastPageMs, double PeakRssMb)
    {
        public void AddTo(Measurements samples)
        {
            samples.Add("audienceMembers", Members);
            samples.Add("audienceCountMs", CountMs);
            samples.Add("audienceFirstMemberMs", FirstMemberMs);
            samples.Add("audienceMembersPerSecond", MembersPerSecond);
            samples.Add("audienceLastPageMs", LastPageMs);
        }
    }

    public static async Task<Result> RunAsync(CampaignsClient client, TenantId tenant, int size, CancellationToken cancellationToken)
    {
        var expected = Enumerable.Range(0, size).Count(i => ContactsCsv.Values(i).Major == "Mathematics");
        var audience = await client.CreateAudienceAsync(
            tenant,
            new AudienceDraft($"Mathematics {Guid.NewGuid():N}", [new("major", "is", "mathematics"), new("label", "is", "Benchmark"), new("email", "exists", null)]),
            cancellationToken);

        using var memory = MemoryWatch.Start();
        var started = Stopwatch.GetTimestamp();
        var first = await client.GetAudienceMembersAsync(tenant, audience.AudienceId, 1, 50, cancellationToken)
            ?? throw new InvalidOperationException("The audience just created was not found.");
        var countMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (first.Total != expected || first.Items.Count != Math.Min(50, expected))
        {
            throw new InvalidOperationException($"The audience counts {first.Total:N0} members with a first page of {first.Items.Count}; the file has {expected:N0}.");
        }

        started = Stopwatch.GetTimestamp();
        double firstMemberMs = 0;
        var members = 0;
        string? previous = null;
        await foreach (var id in client.AudienceMemberIdsAsync(tenant, audience.AudienceId, cancellationToken))
        {
            if (members++ == 0)
            {
                firstMemberMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            if (previous is not null && string.CompareOrdinal(previous, id) >= 0)
            {
                throw new InvalidOperationException($"Audience member {id} came after {previous}: not in contact id order, or twice.");
            }

            previous = id;
        }

        var streamed = Stopwatch.GetElapsedTime(started);
        if (members != expected)
        {
            throw new InvalidOperationException($"The audience streamed {members:N0} members; the file has {expected:N0}.");
        }

        started = Stopwatch.GetTimestamp();
        var lastPage = (expected + 49) / 50;
        var last = await client.GetAudienceMembersAsync(tenant, audience.AudienceId, lastPage, 50, cancellationToken);
        var lastPageMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (last is null || last.Items.Count == 0 || last.Items[^1].ContactId != previous)
        {
            throw new InvalidOperationException("The members listing's last page does not end with the last member streamed.");
        }

        var (peakRss, _) = await memory.StopAsync();
        return new Result(members, countMs, firstMemberMs, members / streamed.TotalSeconds, lastPageMs, peakRss);
    }
}
