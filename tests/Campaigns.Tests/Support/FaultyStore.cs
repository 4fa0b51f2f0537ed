using System.Reflection;
using System.Runtime.ExceptionServices;
using Campaigns.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Support;

/// <summary>
/// The real store with chosen calls failing as a busy SQLite file fails them ("database is
/// locked" after the busy timeout), so a test can show what a failed write leaves behind.
/// </summary>
public class FaultyStore : DispatchProxy
{
    private ICampaignStore _inner = null!;
    private Func<string, object?[], bool> _fails = null!;
    private readonly TaskCompletionSource _firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failed;

    /// <summary>How many calls were made to fail.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Completes when the first chosen call has failed.</summary>
    public Task FirstFailure => _firstFailure.Task;

    /// <summary>A choice of call that fails: the <paramref name="call"/>th call (1-based) of <paramref name="method"/>.</summary>
    public static Func<string, object?[], bool> OnCall(string method, int call)
    {
        var calls = 0;
        return (name, _) => name == method && Interlocked.Increment(ref calls) == call;
    }

    /// <summary>
    /// Registers, in place of the silo's store, the real one with every call for which
    /// <paramref name="fails"/> (method name, arguments) is true failing before it reaches SQLite.
    /// </summary>
    public static FaultyStore Register(IServiceCollection services, Func<string, object?[], bool> fails)
    {
        var proxy = Create<ICampaignStore, FaultyStore>();
        var faulty = (FaultyStore)(object)proxy;
        faulty._fails = fails;
        services.AddSingleton(sp =>
        {
            faulty._inner = sp.GetRequiredService<SqliteCampaignStore>();
            return proxy;
        });
        return faulty;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        if (typeof(Task).IsAssignableFrom(targetMethod.ReturnType) && _fails(targetMethod.Name, args))
        {
            Interlocked.Increment(ref _failed);
            _firstFailure.TrySetResult();
            return Faulted(targetMethod.ReturnType, new SqliteException("SQLite Error 5: 'database is locked'.", 5));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    /// <summary>A failed task of the method's own return type (<see cref="Task"/> or <see cref="Task{TResult}"/>).</summary>
    private static object Faulted(Type taskType, Exception exception) => taskType.IsGenericType
        ? typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(taskType.GetGenericArguments()[0]).Invoke(null, [exception])!
        : Task.FromException(exception);
}
