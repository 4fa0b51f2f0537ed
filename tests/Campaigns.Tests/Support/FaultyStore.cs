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
    private int _failed;

    /// <summary>How many calls were made to fail.</summary>
    public int Failed => Volatile.Read(ref _failed);

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
        if (targetMethod.ReturnType == typeof(Task) && _fails(targetMethod.Name, args))
        {
            Interlocked.Increment(ref _failed);
            return Task.FromException(new SqliteException("SQLite Error 5: 'database is locked'.", 5));
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
}
