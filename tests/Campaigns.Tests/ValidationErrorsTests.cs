using Campaigns.Validation;

namespace Campaigns.Tests;

public sealed class ValidationErrorsTests
{
    [Fact]
    public void A_later_check_adds_its_problems_except_on_parts_already_reported()
    {
        var shape = new ValidationErrors().Add("name", "This field is required.").Add("schedule.sendAt", "'tomorrow' is not a time.").Add("rules[0].op", "Must be a string.");
        var content = new ValidationErrors()
            .Add("name", "A name is required.")
            .Add("schedule", "A schedule is required.")
            .Add("rules", "Rules are required.")
            .Add("scriptId", "'scr_x' is not a script of this tenant.")
            .Add("schedule.timeZone", "'Mars/Base' is not an IANA time zone.");

        var merged = shape.AddUnreported(content.ToDictionary()).ToDictionary();

        Assert.Equal(["name", "rules[0].op", "schedule.sendAt", "schedule.timeZone", "scriptId"], merged.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["This field is required."], merged["name"]);
    }
}
