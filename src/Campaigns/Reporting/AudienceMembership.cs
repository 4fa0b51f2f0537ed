namespace Campaigns.Reporting;

/// <summary>
/// Whether contacts are members of an audience now, asked in contact id order: it walks the audience's
/// member ids (streamed in the same order) alongside, so neither side is ever held in memory.
/// </summary>
internal sealed class AudienceMembership(IAsyncEnumerable<string> memberIds) : IAsyncDisposable
{
    private IAsyncEnumerator<string>? _members;
    private string? _current;
    private bool _done;

    /// <summary>Whether <paramref name="contactId"/> is a member; each call must name an id after the previous one (ordinal order).</summary>
    public async ValueTask<bool> ContainsAsync(string contactId)
    {
        _members ??= memberIds.GetAsyncEnumerator();
        while (!_done && (_current is null || string.CompareOrdinal(_current, contactId) < 0))
        {
            if (await _members.MoveNextAsync())
            {
                _current = _members.Current;
            }
            else
            {
                _done = true;
                _current = null;
            }
        }

        return _current == contactId;
    }

    public ValueTask DisposeAsync() => _members?.DisposeAsync() ?? ValueTask.CompletedTask;
}
