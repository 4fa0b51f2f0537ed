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
/// validation), the other matches and writes them a batch of <see cref="BatchSize"/> at a time: one
/// store call finds every contact the batch could match, the rows are matched in memory in file
/// order (<see cref="ImportMatches"/>), and one call writes the batch. A bounded queue of a few
/// batches between the stages keeps memory flat whatever the file's size.
/// </remarks>
internal sealed class ContactImporter(ICampaignStore store, TimeProvider clock)
{
    internal const int MaxCellLength = 1000;

    /// <summary>The longest record read before the file is refused: far above any real row, well below "the rest of the file after an open quote".</summary>
    internal const int MaxRecordLength = 1_000_000;

    /// <summary>Rows matched and written together: one candidate query and one write call per batch.</summary>
    internal const int BatchSize = 1000;

    /// <summary>Batches read ahead of the writer: enough to keep both stages busy, little memory.</summary>
    private const int QueuedBatches = 4;
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
        var queue = Channel.CreateBounded<List<CheckedRow>>(new BoundedChannelOptions(QueuedBatches) { SingleReader = true, SingleWriter = true });
        var layout = new Layout(columns, index, custom);
        var reading = Task.Run(
            async () =>
            {
                try
                {
                    var batch = new List<CheckedRow>(BatchSize);
                    await foreach (var row in reader.WithCancellation(stop.Token))
                    {
                        text.RecordEnded(row.LineNumberToExcl);
                        if (!IsBlank(row))
                        {
                            batch.Add(Check(row, layout, defaultRegion));
                            if (batch.Count == BatchSize)
                            {
                                await queue.Writer.WriteAsync(batch, stop.Token);
                                batch = new List<CheckedRow>(BatchSize);
                            }
                        }
                    }

                    if (batch.Count > 0)
                    {
                        await queue.Writer.WriteAsync(batch, stop.Token);
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
            return await store.InImportAsync(tenant, session => WriteAsync(session, queue.Reader, importId, label, now, clock, stop.Token), cancellationToken);
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

    private static async Task<ImportResult> WriteAsync(
        IImportSession session, ChannelReader<List<CheckedRow>> batches, string importId, string? label, DateTimeOffset now, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new List<ImportRowError>();
        int created = 0, updated = 0, skipped = 0;
        IReadOnlyList<string> newLabels = label is null ? [] : [label];
        var noChannels = new Dictionary<ChannelKind, ChannelStatus>();
        var externalIds = new HashSet<string>(StringComparer.Ordinal);
        var phones = new HashSet<string>(StringComparer.Ordinal);
        var emails = new HashSet<string>(StringComparer.Ordinal);
        var writes = new List<ImportedContact>(BatchSize);
        await foreach (var batch in batches.ReadAllAsync(cancellationToken))
        {
            externalIds.Clear();
            phones.Clear();
            emails.Clear();
            foreach (var row in batch)
            {
                if (row.Parsed is { } p)
                {
                    AddKey(externalIds, p.ExternalId);
                    AddKey(phones, p.Phone);
                    AddKey(emails, p.Email);
                }
            }

            // Every contact this batch could match, with the line of this import that already touched it:
            // rows are then matched in memory, in file order, seeing what earlier rows created or changed.
            var candidates = externalIds.Count + phones.Count + emails.Count == 0 ? [] : await session.FindCandidatesAsync(importId, externalIds, phones, emails);
            var matches = new ImportMatches(candidates);
            writes.Clear();
            foreach (var row in batch)
            {
                if (row.Parsed is not { } parsed)
                {
                    errors.AddRange(row.Errors!);
                    skipped++;
                    continue;
                }

                var existing = matches.Find(parsed.ExternalId, parsed.Phone, parsed.Email);
                if (existing?.Line is { } firstLine)
                {
                    // The same contact, already touched by this import: not touched again.
                    errors.Add(new(row.Line, null, $"Duplicate of line {firstLine}: the same contact appears twice in this file; this row was skipped."));
                    skipped++;
                    continue;
                }

                if (existing is null)
                {
                    var contact = new Contact(
                        ContactIds.New(clock), parsed.FirstName, parsed.LastName, parsed.Phone, parsed.Email, parsed.TimeZone, parsed.ExternalId, parsed.Fields, newLabels, noChannels);
                    matches.Add(contact, row.Line);
                    writes.Add(new ImportedContact(contact, Created: true, PhoneChanged: false, row.Line));
                    created++;
                }
                else
                {
                    var (contact, phoneChanged) = Merge(existing.Contact, parsed, label);
                    matches.Update(existing, contact, row.Line);
                    writes.Add(new ImportedContact(contact, Created: false, phoneChanged, row.Line));
                    updated++;
                }
            }

            if (writes.Count > 0)
            {
                await session.WriteAsync(importId, writes);
            }
        }

        await session.AddImportAsync(importId, label, now, created, updated, skipped);
        return new ImportResult(importId, created, updated, skipped, errors);
    }

    private static void AddKey(HashSet<string> keys, string? key)
    {
        if (key is not null)
        {
            keys.Add(key);
        }
    }

    /// <summary>A matched contact after a row updates it: a value the row leaves empty keeps the stored one.</summary>
    private static (Contact Contact, bool PhoneChanged) Merge(Contact existing, ParsedRow parsed, string? label)
    {
        var fields = new Dictionary<string, string>(existing.Fields, StringComparer.Ordinal);
        foreach (var (k, v) in parsed.Fields)
        {
            fields[k] = v;
        }

        var phoneChanged = parsed.Phone is not null && parsed.Phone != existing.Phone;
        var contact = existing with
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
        return (contact, phoneChanged);
    }

    /// <summary>A line with nothing on it is no record (spreadsheets leave them at the end); it is passed over, not reported.</summary>
    private static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row.Span.IsWhiteSpace();

    /// <summary>The header's columns: their names, where each known one is, and the custom ones.</summary>
    private sealed record Layout(string[] Columns, Dictionary<string, int> Index, (string Name, int Index)[] Custom)
    {
        public int Phone { get; } = Index["phone"];

        public int FirstName { get; } = Index["first_name"];

        public int LastName { get; } = Index["last_name"];

        public int Email { get; } = Index.GetValueOrDefault("email", -1);

        public int TimeZone { get; } = Index.GetValueOrDefault("time_zone", -1);

        public int ExternalId { get; } = Index.GetValueOrDefault("external_id", -1);
    }

    private static readonly Dictionary<string, string> NoFields = [];

    private static CheckedRow Check(SepReader.Row row, Layout layout, string region)
    {
        var columns = layout.Columns;
        var line = row.LineNumberFrom;
        List<ImportRowError>? errors = null;
        if (QuoteProblem(row.Span) is { } quote)
        {
            // The CSV reader recovers from bad quoting by guessing; the guess is never what the file meant.
            return new CheckedRow(line, null, [new(line, quote.Column < columns.Length ? columns[quote.Column] : null, quote.Message + Spans(row, line))]);
        }

        if (row.ColCount != columns.Length)
        {
            errors = [new(line, null, $"Row has {row.ColCount} fields; the header has {columns.Length}.{Spans(row, line)}")];
        }

        var cells = new string[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            cells[i] = i < row.ColCount ? Trimmed(row[i].Span) : string.Empty;
            if (cells[i].Length > MaxCellLength)
            {
                (errors ??= []).Add(new(line, columns[i], $"Value is {cells[i].Length} characters long; at most {MaxCellLength} are allowed."));
            }
            else if (cells[i].Contains('\uFFFD', StringComparison.Ordinal))
            {
                (errors ??= []).Add(new(line, columns[i], "Value is not valid UTF-8 (save the file as UTF-8)."));
            }
            else if (FirstControl(cells[i]) is { } control)
            {
                // Control characters (escape sequences, NUL) have no place in a name or an address and can disturb whatever displays them.
                (errors ??= []).Add(new(line, columns[i], $"Value contains the control character U+{(int)control:X4}."));
            }
        }

        if (errors is not null)
        {
            return new CheckedRow(line, null, errors);
        }

        var parsed = ParseRow(line, cells, layout, region, ref errors);
        return errors is null ? new CheckedRow(line, parsed, null) : new CheckedRow(line, null, errors);
    }

    /// <summary>A cell without its surrounding white space, made a string once.</summary>
    private static string Trimmed(ReadOnlySpan<char> cell) => cell.Length == 0 ? string.Empty : cell.Trim().ToString();

    /// <summary>Where a record runs over several lines, the sentence saying so.</summary>
    private static string Spans(SepReader.Row row, int line)
    {
        // A record swallowed to the end of the file ends with the file's last line break, which starts no line of its own.
        var lastLine = row.LineNumberToExcl - (row.Span is [.., '\n' or '\r'] ? 2 : 1);
        return lastLine > line ? $" The record runs over lines {line} to {lastLine}." : string.Empty;
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

    private sealed record ParsedRow(string FirstName, string LastName, string? Phone, string? Email, string? TimeZone, string? ExternalId, IReadOnlyDictionary<string, string> Fields);

    private static ParsedRow? ParseRow(int line, string[] cells, Layout layout, string region, ref List<ImportRowError>? errors)
    {
        string? phone = null;
        if (cells[layout.Phone] is { Length: > 0 } rawPhone)
        {
            phone = NormalisePhone(rawPhone, region, out var problem);
            if (problem is not null)
            {
                (errors ??= []).Add(new(line, "phone", problem));
            }
        }

        string? email = null;
        if (layout.Email >= 0 && cells[layout.Email] is { Length: > 0 } rawEmail)
        {
            if (System.Net.Mail.MailAddress.TryCreate(rawEmail, out var address) && address.Address == rawEmail && address.Host.Contains('.', StringComparison.Ordinal))
            {
                email = rawEmail.ToLowerInvariant();
            }
            else
            {
                (errors ??= []).Add(new(line, "email", $"'{rawEmail}' is not a valid email address."));
            }
        }

        string? timeZone = null;
        if (layout.TimeZone >= 0 && cells[layout.TimeZone] is { Length: > 0 } rawZone)
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(rawZone, out var zone) && zone.HasIanaId)
            {
                timeZone = rawZone;
            }
            else
            {
                (errors ??= []).Add(new(line, "time_zone", $"'{rawZone}' is not an IANA time zone."));
            }
        }

        var externalId = layout.ExternalId >= 0 && cells[layout.ExternalId] is { Length: > 0 } ext ? ext : null;
        if (errors is null && phone is null && email is null && externalId is null)
        {
            errors = [new(line, null, "Row has no phone, email or external_id, so the contact cannot be identified or reached.")];
        }

        if (errors is not null)
        {
            return null;
        }

        Dictionary<string, string>? fields = null;
        foreach (var (name, i) in layout.Custom)
        {
            if (cells[i].Length > 0)
            {
                (fields ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = cells[i];
            }
        }

        return new ParsedRow(cells[layout.FirstName], cells[layout.LastName], phone, email, timeZone, externalId, fields ?? NoFields);
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
