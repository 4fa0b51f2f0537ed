using Campaigns.Contacts;

namespace Campaigns.Scripts;

/// <summary>
/// The text a contact receives for steps: merge fields filled, and a multiple choice followed by
/// its numbered choices (<c>1) Biology</c>), which replies may pick by number, letter or text.
/// Steps sent together are separated by a blank line.
/// </summary>
public static class ScriptText
{
    /// <summary>One step as the contact reads it.</summary>
    public static string Render(ScriptStep step, Contact contact)
    {
        var text = MergeFields.Render(step.Text, contact);
        return step.Kind == StepKind.MultipleChoice && step.Choices is { Count: > 0 } choices ? text + "\n" + Choices(choices) : text;
    }

    /// <summary>Steps sent as one message.</summary>
    public static string Render(IEnumerable<ScriptStep> steps, Contact contact) => string.Join("\n\n", steps.Select(s => Render(s, contact)));

    /// <summary>The numbered choice lines of a multiple choice.</summary>
    public static string Choices(IReadOnlyList<string> choices) => string.Join("\n", choices.Select((c, i) => $"{i + 1}) {c}"));
}
