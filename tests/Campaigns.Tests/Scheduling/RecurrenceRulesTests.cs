using Campaigns.Campaigns;
using Campaigns.Scheduling;
using Campaigns.Validation;

namespace Campaigns.Tests.Scheduling;

public sealed class RecurrenceRulesTests
{
    private const string NewYork = "America/New_York";
    private const string London = "Europe/London";

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Times(Recurrence recurrence, int count, string from = "2000-01-01T00:00:00Z") =>
        RecurrenceRules.Occurrences(recurrence, At(from)).Take(count).Select(o => o.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Daily_keeps_the_local_time_of_the_start()
    {
        var daily = Recurrence.Every(RecurrenceFrequency.Daily, At("2026-03-02T09:00:00-05:00"), NewYork);
        Assert.Equal(["2026-03-02T09:00:00-05:00", "2026-03-03T09:00:00-05:00", "2026-03-04T09:00:00-05:00"], Times(daily, 3));
    }

    [Fact]
    public void Weekly_on_several_weekdays_sends_on_each_and_skips_an_unmatched_start_without_using_up_the_count()
    {
        // Monday start; the rule names Tuesday and Thursday, so Monday is not a send and COUNT=4 counts four real sends.
        var rule = Recurrence.Rule("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4", At("2026-03-02T09:00:00-05:00"), NewYork);
        Assert.Equal(
            ["2026-03-03T09:00:00-05:00", "2026-03-05T09:00:00-05:00", "2026-03-10T09:00:00-04:00", "2026-03-12T09:00:00-04:00"],
            Times(rule, 10));
    }

    [Fact]
    public void Weekly_frequency_is_anchored_at_the_start_weekday()
    {
        var weekly = Recurrence.Every(RecurrenceFrequency.Weekly, At("2026-03-04T14:30:00Z"), "Etc/UTC");
        Assert.Equal(["2026-03-04T14:30:00+00:00", "2026-03-11T14:30:00+00:00", "2026-03-18T14:30:00+00:00"], Times(weekly, 3));
    }

    [Fact]
    public void Monthly_from_the_31st_skips_months_without_one()
    {
        var monthly = Recurrence.Every(RecurrenceFrequency.Monthly, At("2026-01-31T09:00:00-05:00"), NewYork);
        Assert.Equal(
            ["2026-01-31T09:00:00-05:00", "2026-03-31T09:00:00-04:00", "2026-05-31T09:00:00-04:00", "2026-07-31T09:00:00-04:00", "2026-08-31T09:00:00-04:00"],
            Times(monthly, 5));
    }

    [Theory]
    [InlineData(RecurrenceFrequency.Daily, "FREQ=DAILY", "2026-01-31T09:00:00-05:00", NewYork, "2026-10-30T12:00:00Z")]
    [InlineData(RecurrenceFrequency.Daily, "FREQ=DAILY", "2025-03-09T02:30:00-05:00", NewYork, "2026-03-01T00:00:00Z")]
    [InlineData(RecurrenceFrequency.Daily, "FREQ=DAILY", "2025-10-26T01:30:00+01:00", London, "2026-10-20T00:00:00Z")]
    [InlineData(RecurrenceFrequency.Weekly, "FREQ=WEEKLY", "2024-02-29T01:30:00-05:00", NewYork, "2026-10-25T13:00:00Z")]
    [InlineData(RecurrenceFrequency.Weekly, "FREQ=WEEKLY", "2026-03-04T14:30:00Z", "Etc/UTC", "2026-03-04T14:30:00Z")]
    [InlineData(RecurrenceFrequency.Monthly, "FREQ=MONTHLY", "2024-01-31T09:00:00-05:00", NewYork, "2026-01-31T14:00:01Z")]
    [InlineData(RecurrenceFrequency.Monthly, "FREQ=MONTHLY", "2024-02-29T02:30:00-05:00", NewYork, "2000-01-01T00:00:00Z")]
    [InlineData(RecurrenceFrequency.Monthly, "FREQ=MONTHLY", "2025-03-30T01:30:00+00:00", London, "2026-02-15T00:00:00Z")]
    public void A_plain_frequency_sends_exactly_when_the_same_rrule_does(RecurrenceFrequency frequency, string rrule, string start, string zone, string from)
    {
        // A frequency is worked out without Ical.Net; it must give the library's times, across gaps, overlaps, month ends and end dates.
        foreach (var end in new DateOnly?[] { null, new DateOnly(2027, 3, 31) })
        {
            var plain = Recurrence.Every(frequency, At(start), zone, end);
            var rule = Recurrence.Rule(rrule, At(start), zone, end);
            var expected = Times(rule, 60, from);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Times(plain, 60, from));
        }
    }

    [Fact]
    public void Bysetpos_picks_the_last_weekday_of_each_month()
    {
        var lastWeekday = Recurrence.Rule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", At("2026-01-05T09:00:00-05:00"), NewYork);
        Assert.Equal(
            ["2026-01-30T09:00:00-05:00", "2026-02-27T09:00:00-05:00", "2026-03-31T09:00:00-04:00", "2026-04-30T09:00:00-04:00", "2026-05-29T09:00:00-04:00"],
            Times(lastWeekday, 5));
    }

    [Fact]
    public void Bysetpos_picks_the_second_tuesday()
    {
        var secondTuesday = Recurrence.Rule("RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2", At("2026-01-01T10:00:00Z"), "Etc/UTC");
        Assert.Equal(["2026-01-13T10:00:00+00:00", "2026-02-10T10:00:00+00:00", "2026-03-10T10:00:00+00:00"], Times(secondTuesday, 3));
    }

    [Fact]
    public void The_end_date_is_a_whole_day_in_the_schedule_zone_and_inclusive()
    {
        // 21:00 in New York is 02:00 UTC the next day: the end date is read in New York, not in UTC.
        var daily = Recurrence.Every(RecurrenceFrequency.Daily, At("2026-06-01T21:00:00-04:00"), NewYork, new DateOnly(2026, 6, 3));
        Assert.Equal(["2026-06-01T21:00:00-04:00", "2026-06-02T21:00:00-04:00", "2026-06-03T21:00:00-04:00"], Times(daily, 10));
    }

    [Fact]
    public void An_until_in_utc_is_an_instant()
    {
        var daily = Recurrence.Rule("FREQ=DAILY;UNTIL=20260304T140000Z", At("2026-03-02T09:00:00-05:00"), NewYork);
        Assert.Equal(["2026-03-02T09:00:00-05:00", "2026-03-03T09:00:00-05:00", "2026-03-04T09:00:00-05:00"], Times(daily, 10));
    }

    [Theory]
    [InlineData(NewYork, "2026-03-06T09:00:00-05:00", new[] { "2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00" })]
    [InlineData(NewYork, "2026-10-30T09:00:00-04:00", new[] { "2026-10-31T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "2026-11-02T09:00:00-05:00" })]
    [InlineData(London, "2026-03-27T09:00:00+00:00", new[] { "2026-03-28T09:00:00+00:00", "2026-03-29T09:00:00+01:00", "2026-03-30T09:00:00+01:00" })]
    [InlineData(London, "2026-10-23T09:00:00+01:00", new[] { "2026-10-24T09:00:00+01:00", "2026-10-25T09:00:00+00:00", "2026-10-26T09:00:00+00:00" })]
    public void Nine_oclock_stays_nine_oclock_across_daylight_saving_in_both_directions(string zone, string start, string[] expected)
    {
        var daily = Recurrence.Every(RecurrenceFrequency.Daily, At(start), zone);
        Assert.Equal(expected, Times(daily, 3, from: At(start).AddHours(1).ToString("O")));
    }

    [Theory]
    [InlineData(NewYork, "2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00")]
    [InlineData(London, "2026-03-28T01:30:00+00:00", "2026-03-29T02:30:00+01:00")]
    public void A_local_time_in_the_spring_forward_gap_is_read_with_the_offset_before_the_gap(string zone, string start, string onTheNight)
    {
        var daily = Recurrence.Every(RecurrenceFrequency.Daily, At(start), zone);
        var times = Times(daily, 3);
        Assert.Equal(onTheNight, times[1]);

        // The next day is back at the schedule's own local time.
        Assert.EndsWith(At(start).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) + ":00" + times[2][^6..], times[2]);
    }

    [Theory]
    [InlineData(NewYork, "2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00")]
    [InlineData(London, "2026-10-24T01:30:00+01:00", "2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00")]
    public void An_ambiguous_local_time_fires_once_at_the_first_of_its_two_instants(string zone, string start, string onTheNight, string after)
    {
        var daily = Recurrence.Every(RecurrenceFrequency.Daily, At(start), zone);
        Assert.Equal([start.Replace("T01", "T01", StringComparison.Ordinal), onTheNight, after], Times(daily, 3));
    }

    [Fact]
    public void Hourly_across_a_fall_back_night_passes_the_repeated_hour_once_and_does_not_hang()
    {
        var hourly = Recurrence.Rule("FREQ=HOURLY;COUNT=5", At("2026-11-01T00:30:00-04:00"), NewYork);
        Assert.Equal(
            ["2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T02:30:00-05:00", "2026-11-01T03:30:00-05:00", "2026-11-01T04:30:00-05:00"],
            Times(hourly, 10));
    }

    [Fact]
    public void Occurrences_start_at_from_and_never_before_the_start()
    {
        var daily = Recurrence.Every(RecurrenceFrequency.Daily, At("2026-03-02T09:00:00-05:00"), NewYork);
        Assert.Equal(["2026-03-04T09:00:00-05:00"], Times(daily, 1, from: "2026-03-04T14:00:00Z"));
        Assert.Equal(["2026-03-05T09:00:00-05:00"], Times(daily, 1, from: "2026-03-04T14:00:01Z"));
        Assert.Equal(["2026-03-02T09:00:00-05:00"], Times(daily, 1, from: "2020-01-01T00:00:00Z"));
    }

    [Fact]
    public void A_rule_that_can_never_match_has_no_occurrences_instead_of_looping()
    {
        var never = Recurrence.Rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", At("2026-01-01T09:00:00Z"), "Etc/UTC");
        Assert.Empty(Times(never, 1));
    }

    [Fact]
    public void Validation_names_every_problem()
    {
        var errors = new ValidationErrors();
        RecurrenceRules.Validate(new Recurrence(null, "FREQ=SOMETIMES", At("2026-03-02T09:00:00Z"), "Mars/Olympus_Mons", new DateOnly(2026, 3, 1)), errors, "schedule");
        var problems = Assert.Throws<CampaignsValidationException>(errors.ThrowIfAny).Errors;
        Assert.Equal(["schedule.rrule", "schedule.timeZone"], problems.Keys.Order(StringComparer.Ordinal));

        var both = new ValidationErrors();
        RecurrenceRules.Validate(new Recurrence(RecurrenceFrequency.Daily, "FREQ=DAILY", At("2026-03-02T09:00:00Z"), NewYork, new DateOnly(2026, 3, 1)), both, "schedule");
        Assert.Equal(["schedule.endDate", "schedule.rrule"], Assert.Throws<CampaignsValidationException>(both.ThrowIfAny).Errors.Keys.Order(StringComparer.Ordinal));

        var minutely = new ValidationErrors();
        RecurrenceRules.Validate(Recurrence.Rule("FREQ=MINUTELY", At("2026-03-02T09:00:00Z"), NewYork), minutely, "schedule");
        Assert.Contains("at most hourly", Assert.Single(Assert.Throws<CampaignsValidationException>(minutely.ThrowIfAny).Errors["schedule.rrule"]), StringComparison.Ordinal);
    }

    private static string[] RuleProblems(string rrule)
    {
        var errors = new ValidationErrors();
        RecurrenceRules.Validate(Recurrence.Rule(rrule, At("2026-03-02T09:00:00-05:00"), NewYork), errors, "schedule");
        return errors.IsEmpty ? [] : Assert.Throws<CampaignsValidationException>(errors.ThrowIfAny).Errors.TryGetValue("schedule.rrule", out var messages) ? messages : [];
    }

    [Theory]
    [InlineData("FREQ=DAILY;INTERVAL=abc")]
    [InlineData("FREQ=MONTHLY;BYMONTHDAY=abc")]
    [InlineData("FREQ=DAILY;INTERVAL=99999999999")]
    [InlineData("FREQ=DAILY;COUNT=99999999999")]
    [InlineData("FREQ=DAILY;BYMINUTE=")]
    public void A_malformed_number_in_a_rule_is_a_validation_error_on_the_rule(string rrule) =>
        Assert.Contains("is not an RFC 5545 recurrence rule", Assert.Single(RuleProblems(rrule)), StringComparison.Ordinal);

    [Theory]
    [InlineData("FREQ=HOURLY;BYMINUTE=0,1,2")]
    [InlineData("FREQ=DAILY;BYHOUR=9;BYMINUTE=0,30")]
    [InlineData("FREQ=DAILY;BYSECOND=30")]
    [InlineData("FREQ=HOURLY;BYSECOND=0,20,40")]
    public void Rules_that_send_more_often_than_hourly_through_byminute_or_bysecond_are_refused(string rrule) =>
        Assert.Contains("at most hourly", Assert.Single(RuleProblems(rrule)), StringComparison.Ordinal);

    [Theory]
    [InlineData("FREQ=HOURLY;BYMINUTE=15")]
    [InlineData("FREQ=DAILY;BYHOUR=9,10,17;BYMINUTE=0")]
    public void A_single_byminute_keeps_sends_an_hour_apart_and_is_accepted(string rrule) => Assert.Empty(RuleProblems(rrule));

    [Theory]
    [InlineData("FREQ=DAILY;UNTIL=garbage")]
    [InlineData("FREQ=DAILY;UNTIL=")]
    [InlineData("FREQ=DAILY;UNTIL=2030")]
    [InlineData("FREQ=DAILY;UNTIL=20301345")]
    public void An_until_that_is_not_a_date_or_time_is_refused_instead_of_ignored(string rrule) =>
        Assert.Contains("UNTIL", Assert.Single(RuleProblems(rrule)), StringComparison.Ordinal);

    [Fact]
    public void A_date_only_until_includes_its_own_day_in_the_schedule_zone()
    {
        // 21:00 in New York on the 4th is already the 5th in UTC: the day is read in the schedule's zone.
        var daily = Recurrence.Rule("FREQ=DAILY;UNTIL=20260304", At("2026-03-02T21:00:00-05:00"), NewYork);
        Assert.Equal(["2026-03-02T21:00:00-05:00", "2026-03-03T21:00:00-05:00", "2026-03-04T21:00:00-05:00"], Times(daily, 10));
        Assert.Empty(RuleProblems("FREQ=DAILY;UNTIL=20260304"));
    }

    [Fact]
    public void Instance_ids_are_derived_from_the_schedule_and_the_time_and_read_back()
    {
        var at = At("2026-03-08T09:00:00-04:00");
        var id = RecurrenceRules.InstanceId("rec_0123456789abcdef", at);
        Assert.Equal("rec_0123456789abcdef-20260308T130000Z", id);
        Assert.Equal(id, RecurrenceRules.InstanceId("rec_0123456789abcdef", at.ToUniversalTime()));
        Assert.True(RecurrenceRules.TryParseInstanceId(id, out var scheduleId, out var parsed));
        Assert.Equal(("rec_0123456789abcdef", at), (scheduleId, parsed));
        Assert.False(RecurrenceRules.TryParseInstanceId("cmp_0123456789abcdef", out _, out _));
        Assert.True(RecurrenceRules.IsScheduleId("rec_0123456789abcdef"));
        Assert.False(RecurrenceRules.IsScheduleId(id));
    }
}
