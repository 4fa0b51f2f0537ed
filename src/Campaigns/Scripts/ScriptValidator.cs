using Campaigns.Validation;

namespace Campaigns.Scripts;

/// <summary>
/// Turns a <see cref="ScriptDraft"/> into a <see cref="Script"/>, or throws naming every problem:
/// no steps, duplicate or unknown step ids, unknown kinds, empty text, a multiple choice without
/// two choices, answers that the step cannot receive, unreachable steps, loops that ask nothing,
/// unknown merge fields and texts too long for SMS.
/// </summary>
public static class ScriptValidator
{
    /// <summary>The longest step text: ten concatenated SMS segments.</summary>
    public const int MaxTextLength = 1600;

    /// <summary>Validates a draft and builds the script.</summary>
    public static Script Validate(string scriptId, ScriptDraft draft)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(draft.Name))
        {
            errors.Add("name", "A name is required.");
        }

        var drafts = draft.Steps ?? [];
        if (drafts.Count == 0)
        {
            errors.Add("steps", "A script needs at least one step.");
        }

        var ids = drafts.Select(s => s.Id).Where(id => !string.IsNullOrWhiteSpace(id)).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var steps = new List<ScriptStep>();
        for (var i = 0; i < drafts.Count; i++)
        {
            var s = drafts[i];
            var at = $"steps[{i}]";
            if (string.IsNullOrWhiteSpace(s.Id))
            {
                errors.Add($"{at}.id", "A step id is required.");
            }
            else if (!seen.Add(s.Id))
            {
                errors.Add($"{at}.id", $"The step id '{s.Id}' is used more than once.");
            }

            var kindKnown = ScriptNames.TryParseKind(s.Kind, out var kind);
            if (!kindKnown)
            {
                errors.Add($"{at}.kind", $"'{s.Kind}' is not a step kind: use message, yesNo, multipleChoice or openText.");
            }

            if (string.IsNullOrWhiteSpace(s.Text))
            {
                errors.Add($"{at}.text", "The text is empty.");
            }
            else
            {
                foreach (var unknown in MergeFields.Unknown(s.Text))
                {
                    errors.Add($"{at}.text", $"'{{{{{unknown}}}}}' is not a merge field: use firstName, lastName, phone, email or field.NAME.");
                }

                if (s.Text.Length > MaxTextLength)
                {
                    errors.Add($"{at}.text", $"The text is {s.Text.Length} characters long; at most {MaxTextLength} fit in an SMS.");
                }
                else if (ScriptNames.TryParseKind(s.Kind, out var k) && k == StepKind.MultipleChoice && s.Choices is { Count: > 0 } listed
                    && s.Text.Length + 1 + ScriptText.Choices(listed).Length is var sent && sent > MaxTextLength)
                {
                    // The numbered choices are sent under the question, so they count too.
                    errors.Add($"{at}.text", $"The text with its numbered choices is {sent} characters long; at most {MaxTextLength} fit in an SMS.");
                }
            }

            var choices = s.Choices ?? [];
            if (kindKnown && kind == StepKind.MultipleChoice)
            {
                if (choices.Count < 2)
                {
                    errors.Add($"{at}.choices", "A multiple choice step needs at least two choices.");
                }

                if (choices.Any(string.IsNullOrWhiteSpace))
                {
                    errors.Add($"{at}.choices", "A choice is empty.");
                }

                if (choices.GroupBy(c => c.Trim(), StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
                {
                    errors.Add($"{at}.choices", "Two choices are the same.");
                }
            }
            else if (kindKnown && choices.Count > 0)
            {
                errors.Add($"{at}.choices", "Only a multiple choice step has choices.");
            }

            foreach (var (answer, target) in s.Next ?? new Dictionary<string, string>())
            {
                if (!ids.Contains(target))
                {
                    errors.Add($"{at}.next", $"'{target}' is not a step id.");
                }

                var accepted = answer == "*" || (kindKnown && kind switch
                {
                    StepKind.YesNo => answer is "yes" or "no",
                    StepKind.MultipleChoice => choices.Contains(answer, StringComparer.OrdinalIgnoreCase),
                    _ => false,
                });
                if (kindKnown && !accepted)
                {
                    errors.Add($"{at}.next", $"'{answer}' is not an answer this {kind.ToName()} step can receive.");
                }
            }

            steps.Add(new ScriptStep(s.Id ?? string.Empty, kind, s.Text ?? string.Empty, kindKnown && kind == StepKind.MultipleChoice ? choices : null, s.Next));
        }

        if (errors.IsEmpty)
        {
            CheckShape(new Script(scriptId, draft.Name!, draft.Description ?? string.Empty, steps), errors);
        }

        errors.ThrowIfAny();
        return new Script(scriptId, draft.Name!.Trim(), draft.Description?.Trim() ?? string.Empty, steps);
    }

    private static List<ScriptStep> Successors(Script script, ScriptStep step)
    {
        var targets = new List<ScriptStep>();
        var answers = step.Kind switch
        {
            StepKind.YesNo => ["yes", "no", "*"],
            StepKind.MultipleChoice => [.. step.Choices!, "*"],
            _ => new[] { "*" },
        };
        foreach (var answer in answers)
        {
            if (ScriptPath.Next(script, step, answer) is { } next && !targets.Contains(next))
            {
                targets.Add(next);
            }
        }

        return targets;
    }

    private static void CheckShape(Script script, ValidationErrors errors)
    {
        // Reachability from the first step.
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<ScriptStep>([script.Steps[0]]);
        while (queue.TryDequeue(out var step))
        {
            if (reached.Add(step.Id))
            {
                foreach (var next in Successors(script, step))
                {
                    queue.Enqueue(next);
                }
            }
        }

        for (var i = 0; i < script.Steps.Count; i++)
        {
            if (!reached.Contains(script.Steps[i].Id))
            {
                errors.Add($"steps[{i}]", $"Step '{script.Steps[i].Id}' can never be reached from the first step.");
            }
        }

        // A loop made only of messages would message a contact forever without waiting for a reply.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var start in script.Steps.Where(s => !s.Kind.IsQuestion()))
        {
            if (FindMessageLoop(script, start, state) is { } loop)
            {
                errors.Add("steps", $"The steps {string.Join(" → ", loop)} loop without asking a question.");
                return;
            }
        }
    }

    private static List<string>? FindMessageLoop(Script script, ScriptStep step, Dictionary<string, int> state, Stack<string>? path = null)
    {
        path ??= new Stack<string>();
        if (state.TryGetValue(step.Id, out var mark))
        {
            return mark == 1 ? [.. path.Reverse().SkipWhile(id => id != step.Id), step.Id] : null;
        }

        state[step.Id] = 1;
        path.Push(step.Id);
        foreach (var next in Successors(script, step).Where(n => !n.Kind.IsQuestion()))
        {
            if (FindMessageLoop(script, next, state, path) is { } loop)
            {
                return loop;
            }
        }

        path.Pop();
        state[step.Id] = 2;
        return null;
    }
}
