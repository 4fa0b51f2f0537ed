using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Campaigns.Samples.AdminApp;
using Microsoft.Extensions.Configuration;

namespace Campaigns.Tests.Samples;

/// <summary>How the admin sample picks its environment and address (API.md "Running the sample against this contract").</summary>
public sealed class AdminAppLaunchTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void With_nothing_configured_the_sample_runs_in_development()
    {
        Assert.Equal("Development", LocalDefaults.Options([], Settings()).EnvironmentName);
        Assert.False(LocalDefaults.HasAddress(Settings()));
    }

    [Fact]
    public void A_configured_environment_or_address_keeps_the_default_environment_out()
    {
        Assert.Null(LocalDefaults.Options([], Settings(("environment", "Staging"))).EnvironmentName);

        // An address without an environment is Production, ASP.NET Core's default: Development's anonymous access stays on loopback.
        Assert.Null(LocalDefaults.Options([], Settings(("urls", "http://0.0.0.0:8080"))).EnvironmentName);
        Assert.True(LocalDefaults.HasAddress(Settings(("http_ports", "8080"))));
        Assert.True(LocalDefaults.HasAddress(Settings(("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:9000"))));
    }

    [Fact]
    public async Task Under_dotnet_run_the_environment_variables_set_the_address_and_the_environment()
    {
        var root = Root();
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "campaigns-launch-" + Guid.NewGuid().ToString("N"));
        // The tests run from bin/{configuration}/{framework}: the sample was built alongside in the same configuration.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "run", "--no-build", "-c", configuration, "--project", Path.Combine(root, "samples", "Campaigns.Samples.AdminApp") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Campaigns__DataPath"] = data;
        foreach (var other in new[] { "DOTNET_ENVIRONMENT", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            start.Environment.Remove(other);
        }

        using var process = Process.Start(start)!;
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
                if (line.StartsWith("Campaigns admin sample:", StringComparison.Ordinal))
                {
                    started.TrySetResult(line);
                }
            }
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync(TestContext.Current.CancellationToken);
            var first = await Task.WhenAny(started.Task, exited, Task.Delay(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken));
            Assert.True(first == started.Task, "The sample did not start:\n" + string.Join('\n', output));
            Assert.Equal($"Campaigns admin sample: http://127.0.0.1:{port} (API under http://127.0.0.1:{port}/api/v1, environment Production)", await started.Task);

            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), TestContext.Current.CancellationToken)).StatusCode);

            // Production: no anonymous access and no dev routes.
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/api/v1/tenants/demo"), TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still closing is left for the OS to clean.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Walks up from the test binaries (source paths are mapped away in CI builds).
    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Campaigns.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Campaigns.sln was not found above the test binaries.");
    }
}
