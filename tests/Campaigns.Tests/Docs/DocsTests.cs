namespace Campaigns.Tests.Docs;

public sealed class DocsTests
{
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

    [Fact]
    public void The_getting_started_page_shows_the_sample_program_that_compiles()
    {
        var page = File.ReadAllText(Path.Combine(Root(), "docs", "getting-started.md")).ReplaceLineEndings("\n");
        var program = File.ReadAllText(Path.Combine(Root(), "samples", "Campaigns.Samples.GettingStarted", "Program.cs")).ReplaceLineEndings("\n");
        var start = page.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var end = page.IndexOf("```", start, StringComparison.Ordinal);
        Assert.Equal(program, page[start..end]);
        Assert.True(program.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 30, "The getting-started program should stay under 30 lines.");
    }

    [Fact]
    public void The_reporting_page_shows_the_example_that_compiles()
    {
        var page = File.ReadAllText(Path.Combine(Root(), "docs", "reporting.md")).ReplaceLineEndings("\n");
        var source = File.ReadAllText(Path.Combine(Root(), "tests", "Campaigns.Tests", "Docs", "ReportingDocsSnippet.cs")).ReplaceLineEndings("\n");
        var body = source[(source.IndexOf("    {\n", source.IndexOf("RunAsync", StringComparison.Ordinal), StringComparison.Ordinal) + "    {\n".Length)..source.LastIndexOf("    }\n}", StringComparison.Ordinal)];
        var example = string.Join("\n", body.Split('\n').Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
        var start = page.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        Assert.Equal(example.TrimEnd(), page[start..page.IndexOf("```", start, StringComparison.Ordinal)].TrimEnd());
    }
}
