using Campaigns.Tests.Api;
using Campaigns.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Campaigns.Tests.AdminApp;

/// <summary>
/// The admin sample as a person watching the demo uses it: Debian's Chromium, driven by Playwright,
/// against the sample served by Kestrel on loopback, on a fixed clock (10:00 in New York on a Monday).
/// </summary>
public sealed class AdminAppBrowserTests : IAsyncLifetime
{
    private readonly AdminAppFactory _app = new() { Clock = new FakeTimeProvider(CampaignsTestCluster.Epoch) };
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private string _address = null!;

    public async ValueTask InitializeAsync()
    {
        _app.UseKestrel(0);
        _app.StartServer();
        _address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = await TestServices.ChromiumAsync(), Headless = true, Args = ["--no-sandbox"] });
        _page = await _browser.NewPageAsync(new() { BaseURL = _address, AcceptDownloads = true });

        // A loaded 2-core CI machine can take Chromium well past Playwright's 30 s default to start a page.
        _page.SetDefaultTimeout(120_000);
        _page.SetDefaultNavigationTimeout(120_000);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
    }

    private ILocator Section(string name) => _page.Locator("nav a", new() { HasTextString = name });

    private async Task<List<string>> RowNamesAsync() =>
        [.. (await _page.Locator("table tbody tr td:first-child strong").AllInnerTextsAsync()).Select(t => t.Trim())];

    /// <summary>Clicks and waits for the page it leads to, listening before the click so a quick navigation is not missed.</summary>
    private async Task NavigateByAsync(Func<Task> click, string url)
    {
        var arrived = _page.WaitForURLAsync(url);
        await click();
        await arrived;
    }

    [Fact]
    public async Task Staff_browse_the_sections_search_open_insights_and_download_the_export()
    {
        await _page.GotoAsync("/");

        // The seeded demo: one sent, one upcoming once, one weekly schedule's next send; one web-chat intro.
        Assert.Equal("3", (await Section("All").Locator(".count").InnerTextAsync()).Trim());
        Assert.Equal("1", (await Section("Sent").Locator(".count").InnerTextAsync()).Trim());
        Assert.Equal("2", (await Section("Upcoming").Locator(".count").InnerTextAsync()).Trim());
        Assert.Equal("1", (await Section("Recurring").Locator(".count").InnerTextAsync()).Trim());
        Assert.Equal("1", (await Section("Introductory").Locator(".count").InnerTextAsync()).Trim());
        Assert.Equal(["Weekly check-in", "FAFSA reminder", "Welcome week"], await RowNamesAsync());

        await NavigateByAsync(() => Section("Upcoming").ClickAsync(), "**category=upcoming**");
        Assert.Equal(["Weekly check-in", "FAFSA reminder"], await RowNamesAsync());

        await NavigateByAsync(() => Section("All").ClickAsync(), "**category=all**");
        await _page.GetByRole(AriaRole.Searchbox).FillAsync("deadline");
        await NavigateByAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync(), "**search=deadline**");
        Assert.Equal(["FAFSA reminder"], await RowNamesAsync());

        await _page.GotoAsync("/");
        await NavigateByAsync(() => _page.Locator("table tbody tr", new() { HasTextString = "Welcome week" }).GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync(), "**/campaigns/**");
        var insights = await _page.Locator("body").InnerTextAsync();
        Assert.Contains("Welcome week", insights, StringComparison.Ordinal);
        Assert.Contains("Engagement", insights, StringComparison.Ordinal);

        await _page.GotoAsync("/");
        var download = await _page.RunAndWaitForDownloadAsync(() =>
            _page.Locator("table tbody tr", new() { HasTextString = "Welcome week" }).GetByRole(AriaRole.Link, new() { Name = "Export" }).ClickAsync());
        using var reader = new StreamReader(await download.CreateReadStreamAsync());
        var lines = (await reader.ReadToEndAsync(TestContext.Current.CancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("contact_id,first_name,last_name,address,channel,status,failure_reason,sent_at,delivered_at,responded,first_response_at,opted_out,paused,q_ask", lines[0], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",sms,sent,", l, StringComparison.Ordinal));
    }
}
