using System.Globalization;
using Campaigns.Contacts;
using Campaigns.Tenants;
using NodaTime;
using NodaTime.TimeZones;
using PhoneNumbers;

namespace Campaigns.Scheduling;

/// <summary>
/// The tenant's sending hours (<see cref="TenantSettings.SendingHours"/>, default 08:00-21:00,
/// start inclusive, end exclusive) in a contact's own time zone. Every message the tenant
/// initiates (campaign sends, reminders) goes only inside the window; answers to a message the
/// contact just sent do not ask. The contact's zone is their <see cref="Contact.TimeZone"/>, else
/// the first zone libphonenumber lists for their number, else the tenant's.
/// </summary>
public static class SendingWindow
{
    /// <summary>
    /// When a tenant-initiated message may reach the contact: <paramref name="now"/> itself when the
    /// window is open, else the next time it opens (the result carries the contact's offset).
    /// </summary>
    public static DateTimeOffset NextOpening(Contact contact, TenantSettings tenant, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(contact);
        var hours = tenant.EffectiveSendingHours;
        return IsAllDay(hours) ? now : NextOpening(hours, ZoneOf(contact, tenant), now);
    }

    /// <summary>
    /// Whether <paramref name="hours"/> cover the whole day (00:00 to 24:00): open in every zone at every
    /// time, so no contact's zone needs to be found (for a contact without one, a parse of their number).
    /// </summary>
    public static bool IsAllDay(SendingHours hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return Parse(hours.Start) == 0 && Parse(hours.End) == 24 * 60;
    }

    /// <summary>Whether a tenant-initiated message may reach the contact at <paramref name="now"/>.</summary>
    public static bool IsOpen(Contact contact, TenantSettings tenant, DateTimeOffset now) => NextOpening(contact, tenant, now) <= now;

    /// <summary>The IANA zone the contact's local time is read in.</summary>
    public static string ZoneOf(Contact contact, TenantSettings tenant)
    {
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(tenant);
        if (RecurrenceRules.Zone(contact.TimeZone) is not null)
        {
            return contact.TimeZone!;
        }

        if (PhoneZone(contact.Phone) is { } fromPhone)
        {
            return fromPhone;
        }

        return tenant.TimeZone;
    }

    /// <summary>
    /// When the window <paramref name="hours"/> next opens in <paramref name="timeZone"/> (now, when it is open).
    /// Throws <see cref="ArgumentException"/> when the zone is not an IANA id.
    /// </summary>
    public static DateTimeOffset NextOpening(SendingHours hours, string timeZone, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hours);

        // A contact's unknown zone already fell back to their number's, then the tenant's (ZoneOf), and the
        // tenant's cannot be unknown: PutTenantAsync accepts only zones of the same tz database. An unknown
        // zone here is a caller's mistake; reading the window in UTC instead would send at night.
        var zone = RecurrenceRules.Zone(timeZone) ?? throw new ArgumentException($"'{timeZone}' is not an IANA time zone.", nameof(timeZone));
        var start = Parse(hours.Start);
        var end = Parse(hours.End);
        var local = Instant.FromDateTimeOffset(now).InZone(zone);
        var minute = local.TimeOfDay.TickOfDay / NodaConstants.TicksPerMinute;
        if (minute >= start && minute < end)
        {
            return now;
        }

        var day = minute < start ? local.Date : local.Date.PlusDays(1);
        var opening = day.AtMidnight().PlusMinutes(start);

        // An opening inside a spring-forward gap moves on by the gap, as a send time does.
        return zone.ResolveLocal(opening, Resolvers.LenientResolver).ToDateTimeOffset();
    }

    // Minutes after midnight; "24:00" is the end of the day.
    private static long Parse(string value) =>
        value == "24:00" ? 24 * 60 : (long)TimeOnly.ParseExact(value, "HH:mm", CultureInfo.InvariantCulture).ToTimeSpan().TotalMinutes;

    private static string? PhoneZone(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return null;
        }

        try
        {
            var number = PhoneNumberUtil.GetInstance().Parse(phone, null);
            return PhoneNumberToTimeZonesMapper.GetInstance().GetTimeZonesForNumber(number)
                .FirstOrDefault(z => RecurrenceRules.Zone(z) is not null);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}
