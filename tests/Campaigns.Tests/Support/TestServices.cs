using System.Diagnostics;

namespace Campaigns.Tests.Support;

/// <summary>
/// The real servers some tests use (PostgreSQL, Chromium). <c>.ci/run</c> starts them before the suite
/// and exports their settings; a plain <c>dotnet test</c> starts them here, once, through the same
/// <c>.ci/services</c> script, so both paths test against the same set-up.
/// </summary>
public static class TestServices
{
    private static readonly Lazy<Task<IReadOnlyDictionary<string, string>>> Environment = new(StartAsync);

    /// <summary>The PostgreSQL connection string for the test database.</summary>
    public static async Task<string> PostgresAsync() => (await Environment.Value)["CAMPAIGNS_TEST_POSTGRES"];

    /// <summary>The Chromium executable.</summary>
    public static async Task<string> ChromiumAsync() => (await Environment.Value)["CAMPAIGNS_TEST_CHROMIUM"];

    /// <summary>The repository root (the folder holding <c>Campaigns.sln</c>).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Campaigns.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Campaigns.sln was not found above the test binaries.");
    }

    private static async Task<IReadOnlyDictionary<string, string>> StartAsync()
    {
        string[] names = ["CAMPAIGNS_TEST_POSTGRES", "CAMPAIGNS_TEST_CHROMIUM"];
        if (names.All(n => !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(n))))
        {
            return names.ToDictionary(n => n, n => System.Environment.GetEnvironmentVariable(n)!);
        }

        var script = Path.Combine(RepositoryRoot(), ".ci", "services");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}); it installs and starts PostgreSQL and Chromium and needs root on Debian:\n{await errors}");
        }

        // Lines look like: export NAME='value'
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\''));
    }
}
