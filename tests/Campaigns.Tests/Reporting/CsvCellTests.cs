using System.Text;
using Campaigns.Reporting;

namespace Campaigns.Tests.Reporting;

public sealed class CsvCellTests
{
    private static string Cell(string? value, bool phone = false)
    {
        var line = new StringBuilder();
        CsvCell.Append(line, value, phone);
        return line.ToString();
    }

    [Theory]
    [InlineData("=SUM(A1:A9)", "'=SUM(A1:A9)")]
    [InlineData("+1 call me", "'+1 call me")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tTab", "'\tTab")]
    [InlineData("\rCR", "\"'\rCR\"")]
    [InlineData("=HYPERLINK(\"http://x.test\",\"go\")", "\"'=HYPERLINK(\"\"http://x.test\"\",\"\"go\"\")\"")]
    public void A_cell_a_spreadsheet_would_run_as_a_formula_gets_a_leading_quote(string value, string expected) =>
        Assert.Equal(expected, Cell(value));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Cells_are_quoted_as_RFC_4180_says_only_when_needed(string? value, string expected) =>
        Assert.Equal(expected, Cell(value));

    [Fact]
    public void An_E164_phone_in_the_address_column_stays_as_it_is_and_anything_else_there_is_guarded()
    {
        Assert.Equal("+12025550143", Cell("+12025550143", phone: true));
        Assert.Equal("'+12025550143", Cell("+12025550143", phone: false));
        Assert.Equal("'+1 202 555 0143", Cell("+1 202 555 0143", phone: true));
        Assert.Equal("'+1=2", Cell("+1=2", phone: true));
        Assert.Equal("'-12025550143", Cell("-12025550143", phone: true));
        Assert.Equal("ada@example.edu", Cell("ada@example.edu", phone: true));
        Assert.Equal("'@handle", Cell("@handle", phone: true));
    }
}
