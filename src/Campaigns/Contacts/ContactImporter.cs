using System.Text;
using Campaigns.Channels;
using Campaigns.Storage;
using Campaigns.Validation;
using nietras.SeparatedValues;
using PhoneNumbers;

namespace Campaigns.Contacts;

/// <summary>
/// Streams a contacts CSV (RFC 4180, UTF-8 with or without BOM) into the store in one
/// transaction: good rows land, every bad row is reported with its line and column, and a file
/// without the required header columns imports nothing.
/// </summary>
internal sealed class ContactImporter(ICampaignStore store, TimeProvider clock)
{
    internal const int MaxCellLength = 1000;
    private static readonly string[] Required = ["phone", "first_name", "last_name"];
    private static readonly HashSet<string> Known = new(["phone", "first_name", "last_name", "email", "time_zone", "external_id"], StringComparer.Ordinal);
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public async Task<ImportResult> ImportAsync(TenantId tenant, string defaultRegion, Stream csv, string? label, CancellationToken cancellationToken)
    {
        // Read asynchronously all the way: request bodies refuse synchronous reads, and the file is never held whole.
        using var text = new StreamReader(csv, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
        // The header is read as a plain row: Sep refuses repeated column names with an ArgumentException,
        // and CheckHeader reports them (and every other header problem) as validation errors instead.
        using var reader = await Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, HasHeader = false }).FromAsync(text, cancellationToken);
        if (!await reader.MoveNextAsync(cancellationToken))
        {
            throw new CampaignsValidationException("file", "The file is empty: a header row with phone, first_name and last_name is required.");
        }

        var columns = new string[reader.Current.ColCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = reader.Current[i].ToString().Trim().ToLowerInvariant();
        }

        CheckHeader(columns);

        var index = columns.Select((name, i) => (name, i)).GroupBy(c => c.name).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var importId = "imp_" + Guid.NewGuid().ToString("N")[..16];
        var now = clock.GetUtcNow();

        return await store.InImportAsync(tenant, async session =>
        {
            var errors = new List<ImportRowError>();
            int created = 0, updated = 0, skipped = 0;
            await foreach (var row in reader)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var line = row.LineNumberFrom;
                var cells = new string[columns.Length];
                var rowErrors = new List<ImportRowError>();
                if (row.ColCount != columns.Length)
                {
                    rowErrors.Add(new(line, null, $"Row has {row.ColCount} fields; the header has {columns.Length}."));
                }

                for (var i = 0; i < columns.Length && i < row.ColCount; i++)
                {
                    cells[i] = row[i].ToString().Trim();
                    if (cells[i].Length > MaxCellLength)
                    {
                        rowErrors.Add(new(line, columns[i], $"Value is {cells[i].Length} characters long; at most {MaxCellLength} are allowed."));
                    }
                    else if (cells[i].Contains('\uFFFD', StringComparison.Ordinal))
                    {
                        rowErrors.Add(new(line, columns[i], "Value is not valid UTF-8 (save the file as UTF-8)."));
                    }
                }

                string Cell(string name) => index.TryGetValue(name, out var i) && cells[i] is { } v ? v : string.Empty;

                var parsed = rowErrors.Count == 0 ? ParseRow(line, Cell, defaultRegion, rowErrors) : null;
                if (parsed is null)
                {
                    errors.AddRange(rowErrors);
                    skipped++;
                    continue;
                }

                var existing = await session.FindAsync(parsed.ExternalId, parsed.Phone, parsed.Email);

                var customFields = columns.Select((name, i) => (name, i)).Where(c => !Known.Contains(c.name) && cells[c.i] is { Length: > 0 })
                    .ToDictionary(c => c.name, c => cells[c.i], StringComparer.Ordinal);
                Contact contact;
                bool phoneChanged;
                if (existing is null)
                {
                    contact = new Contact(
                        "ct_" + Guid.NewGuid().ToString("N")[..16], parsed.FirstName, parsed.LastName, parsed.Phone, parsed.Email, parsed.TimeZone, parsed.ExternalId,
                        customFields, label is null ? [] : [label], new Dictionary<ChannelKind, ChannelStatus>());
                    phoneChanged = false;
                }
                else
                {
                    var fields = new Dictionary<string, string>(existing.Fields, StringComparer.Ordinal);
                    foreach (var (k, v) in customFields)
                    {
                        fields[k] = v;
                    }

                    phoneChanged = parsed.Phone is not null && parsed.Phone != existing.Phone;
                    contact = existing with
                    {
                        // A new phone starts with a clean delivery record.
                        InvalidPhone = existing.InvalidPhone && !phoneChanged,
                        ConsecutiveFailures = phoneChanged ? 0 : existing.ConsecutiveFailures,
                        FirstName = parsed.FirstName.Length > 0 ? parsed.FirstName : existing.FirstName,
                        LastName = parsed.LastName.Length > 0 ? parsed.LastName : existing.LastName,
                        Phone = parsed.Phone ?? existing.Phone,
                        Email = parsed.Email ?? existing.Email,
                        TimeZone = parsed.TimeZone ?? existing.TimeZone,
                        ExternalId = parsed.ExternalId ?? existing.ExternalId,
                        Fields = fields,
                        Labels = label is null || existing.Labels.Contains(label) ? existing.Labels : [.. existing.Labels, label],
                    };
                }

                // The import's membership row doubles as the duplicate check: a contact it already touched is not touched again.
                if (await session.AddMemberAsync(importId, contact.ContactId, existing is null, phoneChanged, line) is { } firstLine)
                {
                    errors.Add(new(line, null, $"Duplicate of line {firstLine}: the same contact appears twice in this file; this row was skipped."));
                    skipped++;
                    continue;
                }

                if (existing is null)
                {
                    created++;
                }
                else
                {
                    updated++;
                }

                await session.SaveContactAsync(contact);
            }

            await session.AddImportAsync(importId, label, now, created, updated, skipped);
            return new ImportResult(importId, created, updated, skipped, errors);
        }, cancellationToken);
    }

    private static void CheckHeader(string[] columns)
    {
        var errors = new ValidationErrors();
        foreach (var missing in Required.Where(r => !columns.Contains(r)))
        {
            errors.Add("header", $"The required column '{missing}' is missing.");
        }

        foreach (var duplicate in columns.GroupBy(c => c).Where(g => g.Count() > 1))
        {
            errors.Add("header", $"The column '{duplicate.Key}' appears more than once.");
        }

        if (columns.Any(c => c.Length == 0))
        {
            errors.Add("header", "A column has no name.");
        }

        errors.ThrowIfAny();
    }

    private sealed record ParsedRow(string FirstName, string LastName, string? Phone, string? Email, string? TimeZone, string? ExternalId);

    private static ParsedRow? ParseRow(int line, Func<string, string> cell, string region, List<ImportRowError> errors)
    {
        string? phone = null;
        if (cell("phone") is { Length: > 0 } rawPhone)
        {
            phone = NormalisePhone(rawPhone, region, out var problem);
            if (problem is not null)
            {
                errors.Add(new(line, "phone", problem));
            }
        }

        string? email = null;
        if (cell("email") is { Length: > 0 } rawEmail)
        {
            if (System.Net.Mail.MailAddress.TryCreate(rawEmail, out var address) && address.Address == rawEmail && address.Host.Contains('.', StringComparison.Ordinal))
            {
                email = rawEmail.ToLowerInvariant();
            }
            else
            {
                errors.Add(new(line, "email", $"'{rawEmail}' is not a valid email address."));
            }
        }

        string? timeZone = null;
        if (cell("time_zone") is { Length: > 0 } rawZone)
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(rawZone, out _))
            {
                timeZone = rawZone;
            }
            else
            {
                errors.Add(new(line, "time_zone", $"'{rawZone}' is not an IANA time zone."));
            }
        }

        var externalId = cell("external_id") is { Length: > 0 } ext ? ext : null;
        if (errors.Count == 0 && phone is null && email is null && externalId is null)
        {
            errors.Add(new(line, null, "Row has no phone, email or external_id, so the contact cannot be identified or reached."));
        }

        return errors.Count == 0 ? new ParsedRow(cell("first_name"), cell("last_name"), phone, email, timeZone, externalId) : null;
    }

    /// <summary>Normalises a phone number to E.164, or says why it cannot take texts.</summary>
    internal static string? NormalisePhone(string raw, string region, out string? problem)
    {
        problem = null;
        try
        {
            var number = Phones.Parse(raw, region);
            if (!Phones.IsValidNumber(number))
            {
                problem = $"'{raw}' is not a valid phone number.";
                return null;
            }

            var type = Phones.GetNumberType(number);
            if (type is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE or PhoneNumberType.VOIP or PhoneNumberType.PERSONAL_NUMBER))
            {
                problem = $"'{raw}' is a {type.ToString().ToLowerInvariant().Replace('_', ' ')} number and cannot receive text messages.";
                return null;
            }

            return Phones.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException)
        {
            problem = $"'{raw}' is not a valid phone number.";
            return null;
        }
    }
}
