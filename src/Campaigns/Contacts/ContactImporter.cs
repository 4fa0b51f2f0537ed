using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading.Channels;
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
/// <remarks>
/// Two stages run side by side: one reads and checks rows (CSV parsing, phone and email
/// validation: the CPU-heavy part), the other matches and writes them. A bounded queue between
/// them keeps memory flat whatever the file's size.
/// </remarks>
internal sealed class ContactImporter(ICampaignStore store, TimeProvider clock)
{
    internal const int MaxCellLength = 1000;

    /// <summary>The longest record read before the file is refused: far above any real row, well below "the rest of the file after an open quote".</summary>
    internal const int MaxRecordLength = 1_000_000;

    private const int QueueLength = 1024;
    private static readonly string[] Required = ["phone", "first_name", "last_name"];
    private static readonly HashSet<string> Known = new(["phone", "first_name", "last_name", "email", "time_zone", "external_id"], StringComparer.Ordinal);
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public async Task<ImportResult> ImportAsync(TenantId tenant, string defaultRegion, Stream csv, string? label, CancellationToken cancellationToken)
    {
        // Read asynchronously all the way: request bodies refuse synchronous reads, and the file is never held whole.
        using var text = new RecordLengthGuard(new StreamReader(csv, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true), MaxRecordLength);
        // The header is read as a plain row: Sep refuses repeated column names with an ArgumentException,
        // and CheckHeader reports them (and every other header problem) as validation errors instead.
        using var reader = await Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, HasHeader = false }).FromAsync(text, cancellationToken);
        if (!await reader.MoveNextAsync(cancellationToken) || IsBlank(reader.Current))
        {
            throw new CampaignsValidationException("file", "The file is empty: a header row with phone, first_name and last_name is required.");
        }

        text.RecordEnded(reader.Current.LineNumberToExcl);
        var columns = new string[reader.Current.ColCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = reader.Current[i].ToString().Trim().ToLowerInvariant();
        }

        CheckHeader(columns);

        var index = columns.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
        var custom = columns.Select((name, i) => (name, i)).Where(c => !Known.Contains(c.name)).ToArray();
        var importId = "imp_" + Guid.NewGuid().ToString("N")[..16];
        var now = clock.GetUtcNow();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<CheckedRow>(new BoundedChannelOptions(QueueLength) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var row in reader.WithCancellation(stop.Token))
                    {
                        text.RecordEnded(row.LineNumberToExcl);
                        if (!IsBlank(row))
                        {
                            await queue.Writer.WriteAsync(Check(row, columns, index, custom, defaultRegion), stop.Token);
                        }
                    }

                    queue.Writer.Complete();
                }
                catch (Exception ex)
                {
                    queue.Writer.Complete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            return await store.InImportAsync(tenant, session => WriteAsync(session, queue.Reader, importId, label, now, stop.Token), cancellationToken);
        }
        catch (ChannelClosedException closed) when (closed.InnerException is { } reason)
        {
            // The reading stage failed (a refused file, a cancelled request): that is the error to report.
            ExceptionDispatchInfo.Capture(reason).Throw();
            throw;
        }
        finally
        {
            // A failed write stops the reading stage; either way it is over before the reader is disposed.
            await stop.CancelAsync();
            await reading;
        }
    }

    private static async Task<ImportResult> WriteAsync(IImportSession session, ChannelReader<CheckedRow> rows, string importId, string? label, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = new List<ImportRowError>();
        int created = 0, updated = 0, skipped = 0;
        await foreach (var row in rows.ReadAllAsync(cancellationToken))
        {
            if (row.Parsed is not { } parsed)
            {
                errors.AddRange(row.Errors!);
                skipped++;
                continue;
            }

            var line = row.Line;
            var existing = await session.FindAsync(parsed.ExternalId, parsed.Phone, parsed.Email);
            Contact contact;
            bool phoneChanged;
            if (existing is null)
            {
                contact = new Contact(
                    "ct_" + Guid.NewGuid().ToString("N")[..16], parsed.FirstName, parsed.LastName, parsed.Phone, parsed.Email, parsed.TimeZone, parsed.ExternalId,
                    parsed.Fields, label is null ? [] : [label], new Dictionary<ChannelKind, ChannelStatus>());
                phoneChanged = false;
            }
            else
            {
                var fields = new Dictionary<string, string>(existing.Fields, StringComparer.Ordinal);
                foreach (var (k, v) in parsed.Fields)
                {
                    fields[k] = v;
                }

                phoneChanged = parsed.Phone is not null && parsed.Phone != existing.Phone;
                contact = existing with
                {
                    FirstName = parsed.FirstName.Length > 0 ? parsed.FirstName : existing.FirstName,
                    LastName = parsed.LastName.Length > 0 ? parsed.LastName : existing.LastName,
                    Phone = parsed.Phone ?? existing.Phone,
                    Email = parsed.Email ?? existing.Email,
                    TimeZone = parsed.TimeZone ?? existing.TimeZone,
                    ExternalId = parsed.ExternalId ?? existing.ExternalId,
                    Fields = fields,
                    Labels = label is null || existing.Labels.Contains(label) ? existing.Labels : [.. existing.Labels, label],

                    // A new phone starts with a clean delivery record.
                    InvalidPhone = existing.InvalidPhone && !phoneChanged,
                    ConsecutiveFailures = phoneChanged ? 0 : existing.ConsecutiveFailures,
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
    }

    /// <summary>A line with nothing on it is no record (spreadsheets leave them at the end); it is passed over, not reported.</summary>
    private static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row.Span.IsWhiteSpace();

    private static CheckedRow Check(SepReader.Row row, string[] columns, Dictionary<string, int> index, (string Name, int Index)[] custom, string region)
    {
        var line = row.LineNumberFrom;
        var cells = new string[columns.Length];
        var errors = new List<ImportRowError>();
        // A record swallowed to the end of the file ends with the file's last line break, which starts no line of its own.
        var lastLine = row.LineNumberToExcl - (row.Span is [.., '\n' or '\r'] ? 2 : 1);
        var spans = lastLine > line ? $" The record runs over lines {line} to {lastLine}." : string.Empty;
        if (QuoteProblem(row.Span) is { } quote)
        {
            // The CSV reader recovers from bad quoting by guessing; the guess is never what the file meant.
            errors.Add(new(line, quote.Column < columns.Length ? columns[quote.Column] : null, quote.Message + spans));
            return new CheckedRow(line, null, errors);
        }

        if (row.ColCount != columns.Length)
        {
            errors.Add(new(line, null, $"Row has {row.ColCount} fields; the header has {columns.Length}.{spans}"));
        }

        for (var i = 0; i < columns.Length; i++)
        {
            cells[i] = i < row.ColCount ? row[i].ToString().Trim() : string.Empty;
            if (cells[i].Length > MaxCellLength)
            {
                errors.Add(new(line, columns[i], $"Value is {cells[i].Length} characters long; at most {MaxCellLength} are allowed."));
            }
            else if (cells[i].Contains('\uFFFD', StringComparison.Ordinal))
            {
                errors.Add(new(line, columns[i], "Value is not valid UTF-8 (save the file as UTF-8)."));
            }
            else if (FirstControl(cells[i]) is { } control)
            {
                // Control characters (escape sequences, NUL) have no place in a name or an address and can disturb whatever displays them.
                errors.Add(new(line, columns[i], $"Value contains the control character U+{(int)control:X4}."));
            }
        }

        if (errors.Count > 0)
        {
            return new CheckedRow(line, null, errors);
        }

        var parsed = ParseRow(line, name => index.TryGetValue(name, out var i) ? cells[i] : string.Empty, region, errors);
        if (parsed is null)
        {
            return new CheckedRow(line, null, errors);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, i) in custom)
        {
            if (cells[i].Length > 0)
            {
                fields[name] = cells[i];
            }
        }

        return new CheckedRow(line, parsed with { Fields = fields }, null);
    }

    /// <summary>The first control character of a text other than tab, CR and LF (NUL, escape sequences), or null.</summary>
    internal static char? FirstControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n'))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>The first RFC 4180 quoting mistake in a raw record, and the column it is in.</summary>
    private static (int Column, string Message)? QuoteProblem(ReadOnlySpan<char> raw)
    {
        int column = 0;
        bool fieldStart = true, quoted = false, closed = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < raw.Length && raw[i + 1] == '"')
                    {
                        i++;
                    }
                    else
                    {
                        quoted = false;
                        closed = true;
                    }
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    column++;
                    fieldStart = true;
                    closed = false;
                    break;
                case '"' when fieldStart:
                    quoted = true;
                    fieldStart = false;
                    break;
                case '"':
                    return (column, "A quote appears inside a value that does not start with one: quote the whole value and double the quotes inside it (\"O\"\"Brien\").");
                default:
                    if (closed)
                    {
                        return (column, "Text follows the closing quote of a quoted value: quote the whole value and double the quotes inside it.");
                    }

                    fieldStart = false;
                    break;
            }
        }

        return quoted ? (column, "A quoted value is never closed: its closing quote is missing.") : null;
    }

    /// <summary>A row after reading and checking: parsed, or with its errors.</summary>
    private sealed record CheckedRow(int Line, ParsedRow? Parsed, List<ImportRowError>? Errors);

    private static void CheckHeader(string[] columns)
    {
        var errors = new ValidationErrors();
        foreach (var missing in Required.Where(r => !columns.Contains(r)))
        {
            errors.Add("header", $"The required column '{missing}' is missing.");
        }

        foreach (var duplicate in columns.Where(c => c.Length > 0).GroupBy(c => c).Where(g => g.Count() > 1))
        {
            errors.Add("header", $"The column '{duplicate.Key}' appears more than once.");
        }

        if (columns.Any(c => c.Length == 0))
        {
            errors.Add("header", "A column has no name.");
        }

        if (columns.Length == 1 && columns[0].IndexOfAny([';', '\t', '|']) >= 0)
        {
            errors.Add("header", "The header is a single column: columns must be separated by commas, not semicolons, tabs or bars.");
        }

        errors.ThrowIfAny();
    }

    private sealed record ParsedRow(string FirstName, string LastName, string? Phone, string? Email, string? TimeZone, string? ExternalId)
    {
        public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
    }

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
            if (TimeZoneInfo.TryFindSystemTimeZoneById(rawZone, out var zone) && zone.HasIanaId)
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

            // The type is UNKNOWN exactly when the number is not valid (IsValidNumber would match the
            // number against its region's patterns a second time, the costliest step of an import).
            var type = Phones.GetNumberType(number);
            if (type == PhoneNumberType.UNKNOWN)
            {
                problem = $"'{raw}' is not a valid phone number.";
                return null;
            }

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
