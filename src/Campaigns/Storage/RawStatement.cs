using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Campaigns.Storage;

/// <summary>
/// A prepared statement run through SQLite's own API on an open connection (inside whatever
/// transaction the connection is in), for the writes an import or a fan-out repeats a million times.
/// </summary>
/// <remarks>
/// <see cref="SqliteCommand"/> looks each parameter up by name and converts each text to a new UTF-8
/// array on every execution; here parameter positions are looked up once and text is encoded into one
/// reused buffer (SQLite copies it when bound). About a quarter of the import's write time.
/// The statement must be disposed before its connection closes.
/// </remarks>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private byte[] _buffer = new byte[512];

    /// <summary>Prepares <paramref name="sql"/>; <c>$t</c>, when it has one, is bound to <paramref name="tenant"/> for good.</summary>
    public RawStatement(SqliteConnection connection, string sql, string tenant)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
        for (var i = 1; i <= raw.sqlite3_bind_parameter_count(_statement); i++)
        {
            _positions[raw.sqlite3_bind_parameter_name(_statement, i).utf8_to_string()] = i;
        }

        if (_positions.ContainsKey("$t"))
        {
            Text("$t", tenant);
        }
    }

    public void Text(string parameter, string? value)
    {
        var position = _positions[parameter];
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, position));
            return;
        }

        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_buffer.Length < most)
        {
            _buffer = new byte[most];
        }

        var length = Encoding.UTF8.GetBytes(value, _buffer);
        Check(raw.sqlite3_bind_text(_statement, position, _buffer.AsSpan(0, length)));
    }

    public void Integer(string parameter, long value) => Check(raw.sqlite3_bind_int64(_statement, _positions[parameter], value));

    /// <summary>Binds <paramref name="value"/>, or NULL when it has none.</summary>
    public void Integer(string parameter, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, _positions[parameter], v) : raw.sqlite3_bind_null(_statement, _positions[parameter]));

    /// <summary>Runs the statement once with the values bound (they stay bound for the next run).</summary>
    public void Run()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);

    public void Dispose() => _statement.Dispose();
}
