using System.Text;

namespace Campaigns.Reporting;

/// <summary>RFC 4180 cells that a spreadsheet opens as text, never as a formula.</summary>
public static class CsvCell
{
    /// <summary>
    /// Appends one cell. A value starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR gets a
    /// leading <c>'</c> so a spreadsheet shows it instead of running it, except an E.164 phone number
    /// (<c>+</c> and digits) when <paramref name="phoneAllowed"/>. A cell holding a comma, quote, CR or LF
    /// is quoted, with quotes doubled.
    /// </summary>
    public static void Append(StringBuilder line, string? value, bool phoneAllowed = false)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var guard = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !(phoneAllowed && IsE164(value));
        var quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        if (quote)
        {
            line.Append('"');
        }

        if (guard)
        {
            line.Append('\'');
        }

        if (quote)
        {
            line.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            line.Append(value);
        }
    }

    /// <summary>Whether a value is an E.164 phone number: <c>+</c> then 1 to 15 digits.</summary>
    public static bool IsE164(string value) =>
        value.Length is >= 2 and <= 16 && value[0] == '+' && value.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;
}
