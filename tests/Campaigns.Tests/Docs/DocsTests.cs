namespace Campaigns.Tests.Docs;

public sealed class DocsTests
{
    private static string Root([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

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
}
