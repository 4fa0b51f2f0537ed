using Microsoft.Extensions.Hosting;

namespace Campaigns.Samples.AdminApp;

/// <summary>
/// What the sample runs as when nothing says otherwise, so <c>dotnet run</c> starts the demo: the
/// Development environment on <see cref="Address"/>. Settings always win: the environment from
/// <c>ASPNETCORE_ENVIRONMENT</c>, <c>DOTNET_ENVIRONMENT</c> or <c>--environment</c>; the address from
/// <c>ASPNETCORE_URLS</c>, <c>--urls</c>, <c>ASPNETCORE_HTTP_PORTS</c> or <c>Kestrel:Endpoints</c>.
/// </summary>
public static class LocalDefaults
{
    /// <summary>The address when none is configured: loopback only.</summary>
    public const string Address = "http://127.0.0.1:5080";

    /// <summary>The builder options for <paramref name="args"/> and the process's environment variables.</summary>
    public static WebApplicationOptions Options(string[] args) =>
        Options(args, new ConfigurationBuilder().AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args).Build());

    /// <summary>
    /// The builder options given the host settings read so far: Development only when neither an
    /// environment nor an address is configured. An address without an environment is ASP.NET Core's
    /// default, Production: Development serves anonymous callers, which only the loopback default keeps local.
    /// </summary>
    public static WebApplicationOptions Options(string[] args, IConfiguration host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var configured = !string.IsNullOrEmpty(host[HostDefaults.EnvironmentKey]) || HasAddress(host);
        return new WebApplicationOptions { Args = args, EnvironmentName = configured ? null : Environments.Development };
    }

    /// <summary>Listens on <see cref="Address"/> unless an address is configured.</summary>
    public static void UseLoopbackUnlessConfigured(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!HasAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(Address);
        }
    }

    /// <summary>Whether the host settings name an address to listen on.</summary>
    public static bool HasAddress(IConfiguration host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return !string.IsNullOrEmpty(host[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrEmpty(host[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrEmpty(host[WebHostDefaults.HttpsPortsKey])
            || host.GetSection("Kestrel:Endpoints").Exists();
    }
}
