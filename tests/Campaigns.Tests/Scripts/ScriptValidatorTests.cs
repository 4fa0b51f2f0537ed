using Campaigns.Scripts;
using Campaigns.Validation;

namespace Campaigns.Tests.Scripts;

public sealed class ScriptValidatorTests
{
    private static CampaignsValidationException Refused(ScriptDraft draft) =>
        Assert.Throws<CampaignsValidationException>(() => ScriptValidator.Validate("scr_test", draft));

    [Fact]
    public void A_valid_interactive_script_is_built_with_its_type()
    {
        var script = ScriptValidator.Validate("scr_1", new ScriptDraft(" Check-in ", null,
        [
            new("hi", "message", "Hi {{firstName}} {{ lastName }}, {{field.major}}"),
            new("q", "multipleChoice", "Pick one", ["A", "B"], new Dictionary<string, string> { ["A"] = "yes", ["*"] = "bye" }),
            new("yes", "yesNo", "Sure?", Next: new Dictionary<string, string> { ["yes"] = "bye", ["no"] = "q" }),
            new("bye", "message", "Bye {{email}} {{phone}}"),
        ]));

        Assert.Equal(("scr_1", "Check-in", "", ScriptType.Interactive), (script.ScriptId, script.Name, script.Description, script.Type));
        Assert.Equal([StepKind.Message, StepKind.MultipleChoice, StepKind.YesNo, StepKind.Message], script.Steps.Select(s => s.Kind));
    }

    [Fact]
    public void A_branch_on_a_choice_written_in_another_case_is_followed()
    {
        // The validator accepts "yes" as an answer of the choice "Yes" (case-insensitively), so the
        // branch must also be taken when walking the script, or step "more" is dead.
        var script = ScriptValidator.Validate("scr_1", new ScriptDraft("Case", null,
        [
            new("q", "multipleChoice", "More?", ["Yes", "Later"], new Dictionary<string, string> { ["yes"] = "more", ["*"] = "bye" }),
            new("bye", "message", "Bye"),
            new("more", "message", "Here is more"),
        ]));

        Assert.Equal("more", ScriptPath.Next(script, script.Steps[0], "Yes")!.Id);
        Assert.Equal("bye", ScriptPath.Next(script, script.Steps[0], "Later")!.Id);
    }

    [Fact]
    public void A_script_of_messages_only_is_a_nudge()
    {
        var script = ScriptValidator.Validate("scr_1", new ScriptDraft("Nudge", "d", [new("a", "message", "One"), new("b", "message", "Two")]));

        Assert.Equal(ScriptType.Nudge, script.Type);
    }

    [Fact]
    public void A_script_without_steps_or_name_is_refused()
    {
        var ex = Refused(new ScriptDraft(" ", null, []));

        Assert.Equal(["name", "steps"], ex.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["A script needs at least one step."], ex.Errors["steps"]);
        Assert.Equal(["A name is required."], ex.Errors["name"]);
        Assert.Equal(["steps"], Refused(new ScriptDraft("n", null, null)).Errors.Keys);
    }

    [Fact]
    public void Every_step_problem_is_named_at_once()
    {
        var ex = Refused(new ScriptDraft("Broken", null,
        [
            new("a", "message", "Hi {{nickname}} and {{field.}}"),               // steps[0]: two unknown merge fields
            new("a", "message", "Duplicate id"),                                 // steps[1]: duplicate id
            new("c", "poll", "What?"),                                           // steps[2]: unknown kind
            new("d", "openText", "  "),                                          // steps[3]: empty text
            new("e", "multipleChoice", "Pick", ["Only"]),                        // steps[4]: one choice
            new("f", "yesNo", "Sure?", Next: new Dictionary<string, string> { ["yes"] = "nowhere", ["maybe"] = "a" }), // steps[5]: unknown target, bad answer
            new(null, "message", "No id", ["x", "y"]),                           // steps[6]: no id, choices on a message
        ]));

        Assert.Equal(
            ["steps[0].text", "steps[1].id", "steps[2].kind", "steps[3].text", "steps[4].choices", "steps[5].next", "steps[6].choices", "steps[6].id"],
            ex.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "'{{nickname}}' is not a merge field: use firstName, lastName, phone, email or field.NAME.",
                "'{{field.}}' is not a merge field: use firstName, lastName, phone, email or field.NAME.",
            ],
            ex.Errors["steps[0].text"]);
        Assert.Equal(["The step id 'a' is used more than once."], ex.Errors["steps[1].id"]);
        Assert.Equal(["'poll' is not a step kind: use message, yesNo, multipleChoice or openText."], ex.Errors["steps[2].kind"]);
        Assert.Equal(["The text is empty."], ex.Errors["steps[3].text"]);
        Assert.Equal(["A multiple choice step needs at least two choices."], ex.Errors["steps[4].choices"]);
        Assert.Equal(["'nowhere' is not a step id.", "'maybe' is not an answer this yesNo step can receive."], ex.Errors["steps[5].next"]);
        Assert.Equal(["A step id is required."], ex.Errors["steps[6].id"]);
        Assert.Equal(["Only a multiple choice step has choices."], ex.Errors["steps[6].choices"]);
    }

    [Fact]
    public void A_multiple_choice_without_choices_is_refused()
    {
        var ex = Refused(new ScriptDraft("n", null, [new("q", "multipleChoice", "Pick")]));

        Assert.Equal(["steps[0].choices"], ex.Errors.Keys);
        Assert.Equal(["A multiple choice step needs at least two choices."], ex.Errors["steps[0].choices"]);
    }

    [Fact]
    public void A_loop_of_messages_is_refused()
    {
        var ex = Refused(new ScriptDraft("Loop", null,
        [
            new("a", "message", "One", Next: new Dictionary<string, string> { ["*"] = "b" }),
            new("b", "message", "Two", Next: new Dictionary<string, string> { ["*"] = "a" }),
        ]));

        Assert.Equal(["steps"], ex.Errors.Keys);
        Assert.Equal(["The steps a → b → a loop without asking a question."], ex.Errors["steps"]);
    }

    [Fact]
    public void A_loop_through_a_question_is_allowed()
    {
        var script = ScriptValidator.Validate("scr_1", new ScriptDraft("Retry", null,
        [
            new("q", "yesNo", "Ready?", Next: new Dictionary<string, string> { ["no"] = "wait", ["yes"] = "done" }),
            new("wait", "message", "Okay", Next: new Dictionary<string, string> { ["*"] = "q" }),
            new("done", "message", "Great"),
        ]));

        Assert.Equal(3, script.Steps.Count);
    }

    [Fact]
    public void An_unreachable_step_is_refused()
    {
        var ex = Refused(new ScriptDraft("n", null,
        [
            new("a", "message", "One", Next: new Dictionary<string, string> { ["*"] = "c" }),
            new("b", "message", "Never"),
            new("c", "message", "End"),
        ]));

        Assert.Equal(["steps[1]"], ex.Errors.Keys);
        Assert.Equal(["Step 'b' can never be reached from the first step."], ex.Errors["steps[1]"]);
    }

    [Fact]
    public void A_text_longer_than_ten_sms_segments_is_refused()
    {
        var ex = Refused(new ScriptDraft("n", null, [new("a", "message", new string('x', 1601))]));

        Assert.Equal(["The text is 1601 characters long; at most 1600 fit in an SMS."], ex.Errors["steps[0].text"]);
    }

    [Fact]
    public void A_multiple_choice_whose_numbered_choices_overflow_the_sms_limit_is_refused()
    {
        var text = new string('x', ScriptValidator.MaxTextLength - 10);
        var ex = Assert.Throws<CampaignsValidationException>(() => ScriptValidator.Validate("s", new ScriptDraft("Long", null, [new StepDraft("q", "multipleChoice", text, ["Monday", "Tuesday"])])));
        Assert.Equal([$"The text with its numbered choices is {text.Length + 1 + "1) Monday\n2) Tuesday".Length} characters long; at most 1600 fit in an SMS."], ex.Errors["steps[0].text"]);

        var fits = ScriptValidator.Validate("s", new ScriptDraft("Fits", null, [new StepDraft("q", "multipleChoice", new string('x', 1579), ["Monday", "Tuesday"])]));
        Assert.Equal(ScriptType.Interactive, fits.Type);
    }
}
