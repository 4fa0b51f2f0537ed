using Campaigns.Campaigns;
using Campaigns.Scripts;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// A large tenant's campaign list, made up deterministically: years of sent campaigns (a fifth of
/// them recurring instances), a few sending, upcoming and cancelled, and a handful of intro rows.
/// Names and descriptions come from words staff use, so searches match realistic shares of rows.
/// </summary>
internal static class ReportingRows
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static readonly string[] Topics =
    [
        "Orientation", "Financial aid", "Registration", "Housing", "Advising", "Welcome", "Survey", "Reminder",
        "Deadline", "Scholarship", "Tutoring", "Wellness", "Commencement", "Parking", "Library", "Career fair",
    ];

    private static readonly string[] Audiences = ["first-years", "transfers", "seniors", "parents", "alumni", "athletes", "commuters", "graduate students"];

    public static List<CampaignRow> Make(int count, int seed = 7)
    {
        var random = new Random(seed);
        var rows = new List<CampaignRow>(count);
        for (var i = 0; i < count; i++)
        {
            var id = $"cmp_{i:D8}";
            var topic = Topics[random.Next(Topics.Length)];
            var audience = Audiences[random.Next(Audiences.Length)];
            var name = $"{topic} {audience} #{random.Next(1, 400)}";
            var description = random.Next(3) == 0 ? string.Empty : $"{topic} for {audience}, term {2023 + random.Next(4)}";
            var type = random.Next(3) == 0 ? ScriptType.Nudge : ScriptType.Interactive;
            var roll = random.Next(1000);
            if (roll < 5)
            {
                // Intro rows: one per trigger and script, so only a handful in a tenant.
                var sentIntro = random.Next(100, 50_000);
                rows.Add(new CampaignRow($"intro-webchat-scr_{i:D8}", null, $"Web chat intro {i}", "Greets new visitors", false, type, sentIntro, random.Next(sentIntro), Now.AddMinutes(-random.Next(1, 100_000)), false, CampaignStatus.Sent, true));
                continue;
            }

            var recurring = random.Next(5) == 0;
            var schedule = recurring ? $"sch_{random.Next(count / 50 + 1):D6}" : null;
            if (roll < 20)
            {
                rows.Add(new CampaignRow(id, schedule, name, description, recurring, type, 0, 0, Now.AddMinutes(random.Next(10, 86_400)), true, CampaignStatus.Scheduled));
            }
            else if (roll < 30)
            {
                rows.Add(new CampaignRow(id, schedule, name, description, recurring, type, 0, 0, Now.AddMinutes(random.Next(10, 86_400)), false, CampaignStatus.Cancelled));
            }
            else
            {
                var sending = roll < 33;
                var sent = random.Next(4) == 0 ? random.Next(0, 20) : random.Next(20, 20_000);
                var responded = sent == 0 ? 0 : random.Next(0, sent + 1);
                var at = sending ? Now.AddMinutes(-random.Next(1, 120)) : Now.AddMinutes(-random.Next(120, 3 * 365 * 24 * 60));
                rows.Add(new CampaignRow(id, schedule, name, description, recurring, type, sent, responded, at, false, sending ? CampaignStatus.Sending : CampaignStatus.Sent));
            }
        }

        return rows;
    }
}
