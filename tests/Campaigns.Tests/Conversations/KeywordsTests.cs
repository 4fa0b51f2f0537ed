using Campaigns.Conversations;

namespace Campaigns.Tests.Conversations;

public sealed class KeywordsTests
{
    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData("Stop.")]
    [InlineData(" #stop ")]
    [InlineData("UNSUBSCRIBE")]
    [InlineData("Cancel")]
    [InlineData("end")]
    [InlineData("QUIT!")]
    [InlineData("revoke")]
    [InlineData("OPTOUT")]
    [InlineData("opt out")]
    [InlineData("Opt-Out")]
    public void Every_opt_out_word_opts_out_of_this_channel(string text) =>
        Assert.Equal(new Keyword(KeywordKind.OptOut), Keywords.Parse(text));

    [Theory]
    [InlineData("STOPALL")]
    [InlineData("stop all")]
    public void Stopall_opts_out_of_every_channel(string text) =>
        Assert.Equal(new Keyword(KeywordKind.OptOut, AllChannels: true), Keywords.Parse(text));

    [Theory]
    [InlineData("START")]
    [InlineData("unstop")]
    [InlineData("Start!")]
    public void Start_and_unstop_opt_back_in(string text) =>
        Assert.Equal(new Keyword(KeywordKind.OptIn), Keywords.Parse(text));

    [Theory]
    [InlineData("HELP")]
    [InlineData("help?")]
    [InlineData("#help")]
    public void Help_asks_for_the_help_text(string text) =>
        Assert.Equal(new Keyword(KeywordKind.Help), Keywords.Parse(text));

    [Theory]
    [InlineData("#pause", PauseLength.Unspecified)]
    [InlineData("#PAUSE", PauseLength.Unspecified)]
    [InlineData("#pause 2 weeks", PauseLength.TwoWeeks)]
    [InlineData("#pause two weeks", PauseLength.TwoWeeks)]
    [InlineData("#Pause forever", PauseLength.Indefinitely)]
    [InlineData("#pause indefinitely.", PauseLength.Indefinitely)]
    public void Pause_needs_its_hash_and_may_carry_a_length(string text, PauseLength length) =>
        Assert.Equal(new Keyword(KeywordKind.Pause, Pause: length), Keywords.Parse(text));

    [Theory]
    [InlineData("pause")]
    [InlineData("#pause for a bit")]
    [InlineData("please stop texting me")]
    [InlineData("stopped by the office")]
    [InlineData("the end")]
    [InlineData("yes")]
    [InlineData("")]
    public void Words_inside_a_sentence_are_not_keywords(string text) =>
        Assert.Null(Keywords.Parse(text));
}
