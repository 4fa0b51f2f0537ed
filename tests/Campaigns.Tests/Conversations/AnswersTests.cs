using Campaigns.Conversations;
using Campaigns.Scripts;

namespace Campaigns.Tests.Conversations;

public sealed class AnswersTests
{
    private static readonly ScriptStep YesNo = new("q", StepKind.YesNo, "Coming?");
    private static readonly ScriptStep Choice = new("q", StepKind.MultipleChoice, "Which day?", ["Monday", "Tuesday", "Late afternoon"]);
    private static readonly ScriptStep Open = new("q", StepKind.OpenText, "Why?");

    [Theory]
    [InlineData("y")]
    [InlineData("Y")]
    [InlineData("yes")]
    [InlineData("YES!")]
    [InlineData("  Yes.  ")]
    [InlineData("yeah")]
    [InlineData("Yep")]
    [InlineData("sure")]
    [InlineData("Sure, why not")]
    [InlineData("yes I will be there")]
    [InlineData("Yes 👍")]
    [InlineData("of course")]
    public void A_yes_in_the_words_people_use_is_yes(string reply) =>
        Assert.Equal(new MatchedAnswer("yes", "yes"), Answers.Match(YesNo, reply));

    [Theory]
    [InlineData("n")]
    [InlineData("N")]
    [InlineData("no")]
    [InlineData("No.")]
    [InlineData("NOPE")]
    [InlineData("nah")]
    [InlineData("no, sorry")]
    [InlineData("Not really")]
    public void A_no_in_the_words_people_use_is_no(string reply) =>
        Assert.Equal(new MatchedAnswer("no", "no"), Answers.Match(YesNo, reply));

    [Theory]
    [InlineData("maybe")]
    [InlineData("yes and no")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("?")]
    [InlineData("I think yes")]
    [InlineData("yesterday")]
    public void A_reply_that_is_neither_or_both_matches_no_yes_no_answer(string reply) =>
        Assert.Null(Answers.Match(YesNo, reply));

    [Theory]
    [InlineData("2", "Tuesday")]
    [InlineData("#2", "Tuesday")]
    [InlineData("2)", "Tuesday")]
    [InlineData("option 3", "Late afternoon")]
    [InlineData("b", "Tuesday")]
    [InlineData("B)", "Tuesday")]
    [InlineData("tuesday", "Tuesday")]
    [InlineData("MONDAY!", "Monday")]
    [InlineData("late   afternoon", "Late afternoon")]
    [InlineData("I'd say Monday please", "Monday")]
    public void A_choice_is_picked_by_number_letter_or_text(string reply, string expected) =>
        Assert.Equal(new MatchedAnswer(expected, expected), Answers.Match(Choice, reply));

    [Theory]
    [InlineData("4")]
    [InlineData("0")]
    [InlineData("d")]
    [InlineData("Monday or Tuesday")]
    [InlineData("Wednesday")]
    [InlineData("")]
    public void A_reply_naming_no_choice_or_several_matches_no_choice(string reply) =>
        Assert.Null(Answers.Match(Choice, reply));

    [Fact]
    public void Open_text_is_captured_exactly_as_sent()
    {
        Assert.Equal(new MatchedAnswer("  My bus was LATE!! ", "*"), Answers.Match(Open, "  My bus was LATE!! "));
        Assert.Null(Answers.Match(Open, " \n "));
    }
}
