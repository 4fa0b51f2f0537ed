using System.Text.Json;
using Campaigns.Benchmarks.Runner;
using Campaigns.Benchmarks.Scenarios;

namespace Campaigns.Tests.Benchmarks;

public sealed class BenchmarkRunnerTests
{
    [Fact]
    public void The_documented_command_line_parses_with_defaults_for_the_rest()
    {
        var (arguments, errors) = BenchmarkArguments.Parse(["--scenario", "All", "--size", "1,000,000", "--out", "results"]);

        Assert.Empty(errors);
        Assert.Equal(new BenchmarkArguments("all", 1_000_000, "results", BenchmarkArguments.DefaultRuns, BenchmarkArguments.DefaultHangfireSize, null), arguments);
        Assert.Equal(2000, BenchmarkArguments.Parse(["--scenario", "fanout", "--size", "2000", "--out", "o"]).Arguments!.HangfireSize);
    }

    [Fact]
    public void Bad_arguments_are_refused_naming_every_problem()
    {
        var (arguments, errors) = BenchmarkArguments.Parse(["--size", "-5", "--runs", "two", "--fast", "--out"]);

        Assert.Null(arguments);
        Assert.Equal(
            [
                "'--fast' is not an option.",
                "--out needs a value.",
                "--scenario is required.",
                "--size must be a positive whole number, not '-5'.",
                "--runs must be a positive whole number, not 'two'.",
                "--out is required.",
            ],
            errors);
    }

    [Theory]
    [InlineData("replies")]
    [InlineData("scheduling")]
    [InlineData("reporting")]
    public void Every_scenario_of_the_performance_plan_is_implemented_and_selectable_by_name(string name)
    {
        var (scenarios, error) = ScenarioCatalog.Select(name);

        Assert.Null(error);
        Assert.Equal([name], scenarios.Select(s => s.Name));
        Assert.DoesNotContain(name, ScenarioCatalog.Planned);
    }

    [Fact]
    public void All_runs_every_implemented_scenario_and_an_unknown_name_is_an_error()
    {
        Assert.Equal(["fanout", "import", "replies", "scheduling", "reporting"], ScenarioCatalog.Select("all").Scenarios.Select(s => s.Name));
        Assert.Equal(["import"], ScenarioCatalog.Select("import").Scenarios.Select(s => s.Name));
        Assert.Equal("'fast' is not a scenario. Use one of fanout, import, replies, scheduling, reporting, or all.", ScenarioCatalog.Select("fast").Error);
    }

    [Fact]
    public void A_planned_name_that_gets_implemented_is_run_not_refused()
    {
        var replies = new NamedScenario("replies");

        Assert.Equal([replies], ScenarioCatalog.Select("replies", [replies]).Scenarios);
        Assert.Equal([replies], ScenarioCatalog.Select("all", [replies]).Scenarios);
    }

    private sealed record NamedScenario(string Name) : IScenario
    {
        public string Description => "test";

        public Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public void Medians_and_spread_are_taken_over_the_runs()
    {
        var samples = new Measurements();
        foreach (var value in new[] { 30.0, 10, 20, 40 })
        {
            samples.Add("rate", value);
        }

        samples.Add("odd", 3);
        samples.Add("odd", 1);
        samples.Add("odd", 2);

        Assert.Equal(25, samples.Median("rate"));
        Assert.Equal(2, samples.Median("odd"));
        Assert.Equal(new Spread(10, 40, 120), samples.Spreads()["rate"]);
    }

    [Fact]
    public async Task Results_are_written_as_json_objects_and_a_markdown_table()
    {
        using var dir = new Support.TempDirectory();
        var machine = new MachineInfo("Linux", "Test CPU", 2, 24, ".NET 10", "workstation, concurrent");
        var result = new ScenarioResult(
            "fanout", 1000, machine,
            new Dictionary<string, double> { ["messagesPerSecond"] = 12345.678, ["firstMessageMs"] = 12.3456 },
            new Dictionary<string, double> { ["rawInsert"] = 0.61234, ["hangfire"] = 21.5 },
            321.4, 3,
            new Dictionary<string, Spread> { ["messagesPerSecond"] = new(12000, 12500, 4.05) },
            [new TargetCheck("ratios.hangfire", "at least 20x Hangfire", 21.5, true), new TargetCheck("ratios.rawInsert", "at least 0.6", 0.5, false)],
            ["A note."]);

        await ResultsWriter.WriteAsync(dir.Path, [result], TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "results.json"), TestContext.Current.CancellationToken));
        var first = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("fanout", first.GetProperty("scenario").GetString());
        Assert.Equal(1000, first.GetProperty("size").GetInt32());
        Assert.Equal("Test CPU", first.GetProperty("machine").GetProperty("cpu").GetString());
        Assert.Equal(12346, first.GetProperty("metrics").GetProperty("messagesPerSecond").GetDouble());
        Assert.Equal(12.346, first.GetProperty("metrics").GetProperty("firstMessageMs").GetDouble());
        Assert.Equal(0.612, first.GetProperty("ratios").GetProperty("rawInsert").GetDouble());
        Assert.Equal(21.5, first.GetProperty("ratios").GetProperty("hangfire").GetDouble());
        Assert.Equal(321, first.GetProperty("peakMemoryMb").GetDouble());

        var markdown = await File.ReadAllLinesAsync(Path.Combine(dir.Path, "results.md"), TestContext.Current.CancellationToken);
        Assert.Contains("| fanout | 1,000 | messagesPerSecond | 12,346 | 12,000 – 12,500 (±2%) | 3 |", markdown);
        Assert.Contains("| fanout | 1,000 | ratio to hangfire | 21.5 | – | 3 |", markdown);
        Assert.Contains("| fanout | 1,000 | peakMemoryMb | 321 | – | 3 |", markdown);
        Assert.Contains("| fanout | ratios.rawInsert: at least 0.6 | 0.5 | **no** |", markdown);
        Assert.Contains("- A note.", markdown);
    }

    [Fact]
    public void The_generated_contacts_are_valid_and_distinct_for_the_importer()
    {
        var phones = Enumerable.Range(0, 5000).Select(ContactsCsv.E164).ToList();

        Assert.Equal(phones.Count, phones.Distinct().Count());
        Assert.All(phones.Where((_, i) => i % 97 == 0), p =>
        {
            Assert.Equal(p, global::Campaigns.Contacts.ContactImporter.NormalisePhone(p, "US", out var problem));
            Assert.Null(problem);
        });
        Assert.StartsWith("(201) 200-0000,Ada,Lovelace,ada.lovelace0@students.example.edu,,", ContactsCsv.Row(0), StringComparison.Ordinal);
    }
}
