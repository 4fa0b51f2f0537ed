using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Scheduling;
using Campaigns.Tenants;

namespace Campaigns.Tests.Scheduling;

public sealed class SendingWindowTests
{
    private static readonly TenantSettings LosAngelesTenant = new("West", "America/Los_Angeles");

    private static Contact Person(string? phone, string? timeZone = null) =>
        new("ct_1", "Ada", "Lovelace", phone, null, timeZone, null, new Dictionary<string, string>(), [], new Dictionary<ChannelKind, ChannelStatus>());

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_contact_zone_is_their_own_else_their_number_else_the_tenant()
    {
        Assert.Equal("Europe/Paris", SendingWindow.ZoneOf(Person("+12015550101", "Europe/Paris"), LosAngelesTenant));
        Assert.Equal("America/New_York", SendingWindow.ZoneOf(Person("+12015550101"), LosAngelesTenant));
        Assert.Equal("America/New_York", SendingWindow.ZoneOf(Person("+12015550101", "Not/A_Zone"), LosAngelesTenant));
        Assert.Equal("America/Los_Angeles", SendingWindow.ZoneOf(Person(null), LosAngelesTenant));
    }

    [Fact]
    public void A_send_at_22_00_local_waits_until_08_00_the_next_morning()
    {
        // 19:00 in Los Angeles is 22:00 for a New York number.
        var now = At("2026-03-03T19:00:00-08:00");
        var opening = SendingWindow.NextOpening(Person("+12015550101"), LosAngelesTenant, now);
        Assert.Equal(At("2026-03-04T08:00:00-05:00"), opening);
        Assert.Equal(TimeSpan.FromHours(-5), opening.Offset);
        Assert.True(SendingWindow.IsOpen(Person(null), LosAngelesTenant, now));
    }

    [Theory]
    [InlineData("2026-03-03T07:59:59-05:00", "2026-03-03T08:00:00-05:00")]
    [InlineData("2026-03-03T08:00:00-05:00", "2026-03-03T08:00:00-05:00")]
    [InlineData("2026-03-03T20:59:59-05:00", "2026-03-03T20:59:59-05:00")]
    [InlineData("2026-03-03T21:00:00-05:00", "2026-03-04T08:00:00-05:00")]
    public void The_start_is_inclusive_and_the_end_exclusive(string now, string expected) =>
        Assert.Equal(At(expected), SendingWindow.NextOpening(SendingHours.Default, "America/New_York", At(now)));

    [Fact]
    public void An_end_of_24_00_keeps_the_window_open_until_midnight() =>
        Assert.Equal(At("2026-03-03T23:59:00-05:00"), SendingWindow.NextOpening(new SendingHours("00:00", "24:00"), "America/New_York", At("2026-03-03T23:59:00-05:00")));

    [Fact]
    public void An_unknown_zone_is_refused_instead_of_read_as_utc() =>
        Assert.Throws<ArgumentException>(() => SendingWindow.NextOpening(SendingHours.Default, "Eastern Standard Time", At("2026-03-03T12:00:00Z")));

    [Fact]
    public void A_contact_without_a_known_zone_or_a_number_gets_the_window_of_the_tenant_zone()
    {
        // 07:30 in Los Angeles: closed there, though it is 15:30 in UTC.
        var now = At("2026-03-03T07:30:00-08:00");
        Assert.Equal(At("2026-03-03T08:00:00-08:00"), SendingWindow.NextOpening(Person(null, "Not/A_Zone"), LosAngelesTenant, now));
    }

    [Fact]
    public void Hours_of_the_whole_day_are_open_for_every_contact_at_every_time()
    {
        var allDay = LosAngelesTenant with { SendingHours = new SendingHours("00:00", "24:00") };
        Assert.True(SendingWindow.IsAllDay(allDay.EffectiveSendingHours));
        Assert.False(SendingWindow.IsAllDay(SendingHours.Default));
        Assert.False(SendingWindow.IsAllDay(new SendingHours("00:00", "23:59")));
        Assert.False(SendingWindow.IsAllDay(new SendingHours("00:01", "24:00")));
        foreach (var now in new[] { At("2026-03-03T03:00:00-05:00"), At("2026-03-08T02:30:00-08:00"), At("2026-03-03T23:59:59+09:00") })
        {
            Assert.Equal(now, SendingWindow.NextOpening(Person("+12015550101"), allDay, now));
            Assert.Equal(now, SendingWindow.NextOpening(Person(null, "Asia/Tokyo"), allDay, now));
        }
    }
}
