using System.Globalization;
using Campaigns.Validation;

namespace Campaigns.Contacts;

/// <summary>
/// Refuses a CSV whose record grows past a limit. A quote left open swallows the rest of the file
/// into one cell, which the CSV reader would otherwise buffer whole; this stops it early, and the
/// import (still inside its transaction) lands nothing.
/// </summary>
internal sealed class RecordLengthGuard(TextReader inner, int maxRecordLength) : TextReader
{
    private long _sinceRecord;
    private int _nextRecordLine = 1;

    /// <summary>A record ended; the next one starts at <paramref name="nextLine"/>.</summary>
    public void RecordEnded(int nextLine)
    {
        _sinceRecord = 0;
        _nextRecordLine = nextLine;
    }

    private int Count(int read)
    {
        _sinceRecord += read;
        if (_sinceRecord > maxRecordLength)
        {
            throw new CampaignsValidationException(
                "file",
                string.Create(CultureInfo.InvariantCulture, $"The record starting at line {_nextRecordLine} runs past {maxRecordLength:N0} characters: is a quote left open? Nothing was imported."));
        }

        return read;
    }

    public override int Peek() => inner.Peek();

    public override int Read()
    {
        var c = inner.Read();
        if (c >= 0)
        {
            Count(1);
        }

        return c;
    }

    public override int Read(char[] buffer, int index, int count) => Count(inner.Read(buffer, index, count));

    public override int Read(Span<char> buffer) => Count(inner.Read(buffer));

    public override async Task<int> ReadAsync(char[] buffer, int index, int count) => Count(await inner.ReadAsync(buffer, index, count));

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => Count(await inner.ReadAsync(buffer, cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
