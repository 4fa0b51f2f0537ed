using System.Collections.Concurrent;
using System.Reflection;
using Campaigns.Storage;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Support;

/// <summary>
/// The real store with chosen calls failing as SQLite fails when another connection holds the lock past
/// the busy timeout (SQLITE_BUSY): <c>Fail(nameof(ICampaignStore.InsertFactsAsync), call: 2)</c> makes the
/// second call of that method throw before it reaches the store. Every other call goes to the store.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1852", Justification = "DispatchProxy derives the proxy type from it at run time.")]
internal class FailingWritesStore : DispatchProxy
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Method, int Call), bool> _failing = new();
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ICampaignStore _inner = null!;

    /// <summary>Completes when a chosen call has failed.</summary>
    public Task Failed => _failed.Task;

    /// <summary>How many chosen calls have failed.</summary>
    public int Failures => _failing.Count(f => f.Value);

    public static (ICampaignStore Store, FailingWritesStore Faults) Wrap(ICampaignStore inner)
    {
        var store = Create<ICampaignStore, FailingWritesStore>();
        var faults = (FailingWritesStore)(object)store;
        faults._inner = inner;
        return (store, faults);
    }

    /// <summary>Makes the <paramref name="call"/>th call (1-based) of <paramref name="method"/> fail.</summary>
    public FailingWritesStore Fail(string method, int call)
    {
        _failing[(method, call)] = false;
        return this;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var call = _calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        if (_failing.TryUpdate((targetMethod.Name, call), true, false))
        {
            _failed.TrySetResult();
            var busy = new SqliteException("database is locked", 5);
            return typeof(Task).IsAssignableFrom(targetMethod.ReturnType)
                ? FaultedTask(targetMethod.ReturnType, busy)
                : throw busy;
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private static object FaultedTask(Type taskType, Exception exception)
    {
        if (!taskType.IsGenericType)
        {
            return Task.FromException(exception);
        }

        var result = taskType.GetGenericArguments()[0];
        return typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(result).Invoke(null, [exception])!;
    }
}
