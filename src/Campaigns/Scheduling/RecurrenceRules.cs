using System.Globalization;
using Campaigns.Campaigns;
using Campaigns.Validation;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using NodaTime;
using NodaTime.TimeZones;

namespace Campaigns.Scheduling;

/// <summary>
/// The recurrence math, shared by the engine and the preview so both give the very same times.
/// Ical.Net expands the RFC 5545 rule over the schedule's local wall-clock times (floating, no
/// zone); each local time is then placed in the time zone with RFC 5545's rules: a time that does
/// not exist (spring forward) is moved on by the length of the gap, an ambiguous one (fall back)
/// takes the first of its two instants. Expanding in floating time keeps 09:00 at 09:00 across
/// daylight-saving changes and avoids Ical.Net 5.2.4's own zone handling, which loops forever on
/// FREQ=HOURLY across a fall-back night and repeats the first hour of a fall-back day. A plain
/// frequency (daily, weekly, monthly) gives the same local times without Ical.Net, which is costly
/// on a schedule's every wake; they are placed in the zone the same way.
/// </summary>
public static class RecurrenceRules
{
    /// <summary>The prefix of a schedule id.</summary>
    public const string SchedulePrefix = "rec_";

    /// <summary>The most occurrences a preview lists.</summary>
    public const int MaxPreviewCount = 100;

    // Rules that can never match (BYMONTH=2;BYMONTHDAY=30) stop after this many empty steps (or at the end of the calendar) instead of looping.
    private static readonly EvaluationOptions Evaluation = new() { MaxUnmatchedIncrementsLimit = 10_000 };

    // The UNTIL forms of RFC 5545: a date, a floating local time, or a UTC time.
    private static readonly string[] UntilFormats = ["yyyyMMdd", "yyyyMMdd'T'HHmmss", "yyyyMMdd'T'HHmmss'Z'"];

    /// <summary>The IANA zone, or null when the id is not one.</summary>
    public static DateTimeZone? Zone(string? timeZone) =>
        string.IsNullOrWhiteSpace(timeZone) ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone);

    /// <summary>Checks a rule, adding every problem under <paramref name="prefix"/> (for example <c>schedule</c>; empty for none).</summary>
    public static void Validate(Recurrence recurrence, ValidationErrors errors, string prefix)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        ArgumentNullException.ThrowIfNull(errors);
        prefix = string.IsNullOrEmpty(prefix) ? string.Empty : prefix + ".";
        var hasRule = !string.IsNullOrWhiteSpace(recurrence.RRule);
        if (recurrence.Frequency is null && !hasRule)
        {
            errors.Add($"{prefix}frequency", "Give a frequency (daily, weekly or monthly) or an rrule.");
        }
        else if (recurrence.Frequency is not null && hasRule)
        {
            errors.Add($"{prefix}rrule", "Give either a frequency or an rrule, not both.");
        }
        else if (hasRule && ParseRule(recurrence.RRule!, out var problems) is null)
        {
            foreach (var problem in problems)
            {
                errors.Add($"{prefix}rrule", problem);
            }
        }

        var zone = Zone(recurrence.TimeZone);
        if (zone is null)
        {
            errors.Add($"{prefix}timeZone", $"'{recurrence.TimeZone}' is not an IANA time zone.");
        }
        else if (recurrence.EndDate is { } end && LocalDate.FromDateOnly(end) < Instant.FromDateTimeOffset(recurrence.StartAt).InZone(zone).Date)
        {
            errors.Add($"{prefix}endDate", "The end date is before the start.");
        }
    }

    /// <summary>
    /// The send times of a valid rule at or after <paramref name="from"/> (and never before the
    /// start), in order, each with the offset of the schedule's zone at that instant.
    /// </summary>
    public static IEnumerable<DateTimeOffset> Occurrences(Recurrence recurrence, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        var zone = Zone(recurrence.TimeZone) ?? throw new ArgumentException($"'{recurrence.TimeZone}' is not an IANA time zone.", nameof(recurrence));
        var start = Instant.FromUnixTimeSeconds(recurrence.StartAt.ToUnixTimeSeconds());
        if (recurrence.Frequency is { } frequency)
        {
            // FREQ=DAILY, WEEKLY or MONTHLY and nothing else: the local times are worked out directly, the very ones
            // Ical.Net gives (RecurrenceRulesTests compares them), without its cost: a schedule's wake expanded the rule
            // from its start, some 20 KB allocated for a new schedule and more for each day it has existed.
            return Place(SimpleLocalTimes(frequency, zone, start, from), zone, start, recurrence.EndDate, from);
        }

        var rule = ParseRule(recurrence.RRule!, out var problems) ?? throw new ArgumentException(string.Join(" ", problems), nameof(recurrence));
        return Place(Expand(rule, zone, start, from), zone, start, recurrence.EndDate, from);
    }

    /// <summary>
    /// The local times of a plain frequency from the start's: every day or week at its wall-clock time, or every
    /// month on its day (a month without that day has none, as RFC 5545 says), beginning a step or so before
    /// <paramref name="from"/> (<see cref="Place"/> drops what is before it).
    /// </summary>
    private static IEnumerable<LocalDateTime> SimpleLocalTimes(RecurrenceFrequency frequency, DateTimeZone zone, Instant start, DateTimeOffset from)
    {
        var startLocal = start.InZone(zone).LocalDateTime;
        var fromDate = Instant.Max(start, Instant.FromDateTimeOffset(from)).InZone(zone).Date.PlusDays(-1);
        var last = new LocalDate(9998, 12, 31);
        switch (frequency)
        {
            case RecurrenceFrequency.Daily:
            case RecurrenceFrequency.Weekly:
                var step = frequency == RecurrenceFrequency.Daily ? 1 : 7;
                var skip = Math.Max(0, (NodaTime.Period.Between(startLocal.Date, fromDate, PeriodUnits.Days).Days / step) - 1);
                for (var local = startLocal.PlusDays(skip * step); local.Date <= last; local = local.PlusDays(step))
                {
                    yield return local;
                }

                yield break;
            case RecurrenceFrequency.Monthly:
                var month = new LocalDate(startLocal.Year, startLocal.Month, 1);
                month = month.PlusMonths(Math.Max(0, NodaTime.Period.Between(month, fromDate, PeriodUnits.Months).Months - 1));
                for (; month <= last; month = month.PlusMonths(1))
                {
                    if (startLocal.Day <= month.Calendar.GetDaysInMonth(month.Year, month.Month))
                    {
                        yield return new LocalDate(month.Year, month.Month, startLocal.Day).At(startLocal.TimeOfDay);
                    }
                }

                yield break;
            default:
                throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "Not a frequency.");
        }
    }

    /// <summary>An RFC 5545 rule's local times from a day before <paramref name="from"/>, in order.</summary>
    private static IEnumerable<LocalDateTime> Expand(RecurrenceRule rule, DateTimeZone zone, Instant start, DateTimeOffset from)
    {
        var startLocal = start.InZone(zone).LocalDateTime;
        if (rule.Until is { IsUtc: true } until)
        {
            // UNTIL in UTC is an instant: compare it with the floating local times as the zone's wall time.
            rule.Until = Floating(Instant.FromDateTimeUtc(until.AsUtc).InZone(zone).LocalDateTime);
        }
        else if (rule.Until is { HasTime: false } day)
        {
            // A date-only UNTIL is a whole day in the schedule's zone, inclusive, like endDate
            // (compared as is, the date would be midnight and exclude its own day's sends).
            rule.Until = Floating(new LocalDate(day.Year, day.Month, day.Day).At(new LocalTime(23, 59, 59)));
        }

        var notBefore = Instant.Max(start, Instant.FromDateTimeOffset(from));

        // Begin a day early: a local time before notBefore's wall time may still land after it (a time in a spring-forward gap moves on).
        var fromLocal = notBefore.InZone(zone).LocalDateTime.PlusDays(-1);
        var calendarEvent = new CalendarEvent { DtStart = Floating(startLocal), RecurrenceRule = rule };
        using var occurrences = calendarEvent.GetOccurrences(fromLocal > startLocal ? Floating(fromLocal) : null, Evaluation).GetEnumerator();
        while (true)
        {
            LocalDateTime local;
            try
            {
                if (!occurrences.MoveNext())
                {
                    yield break;
                }

                local = LocalDateTime.FromDateTime(occurrences.Current.Period.StartTime.Value);
            }
            catch (EvaluationException)
            {
                yield break;
            }

            yield return local;
        }
    }

    /// <summary>
    /// Places local times in the zone with RFC 5545's rules (a time in a gap moves on by the gap, an ambiguous one
    /// takes its first instant), up to the end date, dropping those before the start or <paramref name="from"/>.
    /// </summary>
    private static IEnumerable<DateTimeOffset> Place(IEnumerable<LocalDateTime> locals, DateTimeZone zone, Instant start, DateOnly? endDate, DateTimeOffset from)
    {
        var notBefore = Instant.Max(start, Instant.FromDateTimeOffset(from));
        Instant? previous = null;
        foreach (var local in locals)
        {
            if (endDate is { } end && local.Date > LocalDate.FromDateOnly(end))
            {
                yield break;
            }

            var instant = zone.ResolveLocal(local, Resolvers.LenientResolver).ToInstant();
            if (instant < notBefore || instant == previous)
            {
                continue;
            }

            previous = instant;
            yield return instant.InZone(zone).ToDateTimeOffset();
        }
    }

    private static CalDateTime Floating(LocalDateTime local) =>
        new(local.Year, local.Month, local.Day, local.Hour, local.Minute, local.Second, null);

    /// <summary>Parses an RRULE (with or without the <c>RRULE:</c> prefix); null with every problem when it is not one we send on.</summary>
    private static RecurrenceRule? ParseRule(string text, out IReadOnlyList<string> problems)
    {
        var body = text.Trim();
        if (body.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
        {
            body = body["RRULE:".Length..];
        }

        RecurrenceRule rule;
        try
        {
            rule = new RecurrenceRule(body);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            // Ical.Net reads numbers with Convert.ToInt32: "abc" is a FormatException, 99999999999 an OverflowException.
            problems = [$"'{text}' is not an RFC 5545 recurrence rule: {ex.Message.Split(" (Parameter", 2)[0]}"];
            return null;
        }

        var found = new List<string>();
        if (rule.Frequency is Ical.Net.FrequencyType.Secondly or Ical.Net.FrequencyType.Minutely)
        {
            found.Add("A campaign recurs at most hourly: FREQ=SECONDLY and FREQ=MINUTELY are refused.");
        }

        foreach (var part in body.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals].Trim();
            var value = equals < 0 ? string.Empty : part[(equals + 1)..].Trim();
            if (name.Equals("UNTIL", StringComparison.OrdinalIgnoreCase) && !IsUntil(value))
            {
                // Ical.Net drops an UNTIL it cannot read, which would leave the schedule without an end.
                found.Add($"UNTIL={value} is not a date (yyyyMMdd) or a time (yyyyMMddTHHmmss, with Z for UTC).");
            }
            else if (name.Equals("BYSECOND", StringComparison.OrdinalIgnoreCase))
            {
                found.Add("A campaign recurs at most hourly: BYSECOND is refused (sends start on the minute of startAt).");
            }
            else if (name.Equals("BYMINUTE", StringComparison.OrdinalIgnoreCase) && value.Contains(',', StringComparison.Ordinal))
            {
                // Several minutes would send more than once within an hour; one minute (with BYHOUR or FREQ=HOURLY) keeps sends an hour apart.
                found.Add("A campaign recurs at most hourly: BYMINUTE takes a single minute.");
            }
        }

        problems = found;
        return found.Count == 0 ? rule : null;
    }

    private static bool IsUntil(string value) =>
        DateTime.TryParseExact(value, UntilFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>The campaign id of a schedule's send at <paramref name="at"/>: the same occurrence always gives the same id.</summary>
    public static string InstanceId(string scheduleId, DateTimeOffset at) =>
        $"{scheduleId}-{at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";

    /// <summary>Reads an instance id back into its schedule and send time.</summary>
    public static bool TryParseInstanceId(string campaignId, out string scheduleId, out DateTimeOffset at)
    {
        scheduleId = string.Empty;
        at = default;
        var dash = campaignId.LastIndexOf('-');
        if (dash < 0 || !IsScheduleId(campaignId[..dash])
            || !DateTime.TryParseExact(campaignId[(dash + 1)..], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            return false;
        }

        scheduleId = campaignId[..dash];
        at = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    /// <summary>Whether an id names a recurring schedule (not one of its instances).</summary>
    public static bool IsScheduleId(string id) =>
        id.StartsWith(SchedulePrefix, StringComparison.Ordinal) && id.Length > SchedulePrefix.Length && !id.Contains('-', StringComparison.Ordinal);
}
