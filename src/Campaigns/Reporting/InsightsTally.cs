using Campaigns.Scripts;
using Campaigns.Storage;

namespace Campaigns.Reporting;

/// <summary>Adds up a send's delivery facts, one at a time, into the figures of its insights.</summary>
internal sealed class InsightsTally(Script? script)
{
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _answers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _invalidByStep = new(StringComparer.Ordinal);

    public int Sent { get; private set; }

    public int Delivered { get; private set; }

    public int Failed { get; private set; }

    public int Skipped { get; private set; }

    public int Waiting { get; private set; }

    public int Responded { get; private set; }

    public int OptedOut { get; private set; }

    public int Paused { get; private set; }

    public int InvalidResponses { get; private set; }

    public void Add(ReportFact report)
    {
        var fact = report.Fact;
        var attempted = false;
        switch (fact.Status)
        {
            case DeliveryStatus.Skipped:
                Skipped++;
                Bump(_skipped, fact.Reason ?? "unknown");
                break;
            case DeliveryStatus.Waiting:
                Waiting++;
                break;
            case DeliveryStatus.Delivered:
                Delivered++;
                attempted = true;
                break;
            case DeliveryStatus.Failed:
                Failed++;
                Bump(_failures, fact.Reason ?? "unknown");
                attempted = true;
                break;
            default:
                // Sent, or claimed and being handed over: attempted either way.
                attempted = true;
                break;
        }

        if (attempted)
        {
            Sent++;
            Responded += fact.Responded ? 1 : 0;
        }

        OptedOut += fact.OptedOut ? 1 : 0;
        Paused += fact.Paused ? 1 : 0;
        InvalidResponses += fact.InvalidResponses;
        foreach (var (stepId, answer) in fact.Answers ?? new Dictionary<string, string>())
        {
            if (!_answers.TryGetValue(stepId, out var spread))
            {
                _answers[stepId] = spread = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            }

            Bump(spread, answer);
        }

        foreach (var (stepId, count) in report.InvalidAnswers ?? new Dictionary<string, int>())
        {
            _invalidByStep[stepId] = _invalidByStep.GetValueOrDefault(stepId) + count;
        }
    }

    /// <summary>Responded over sent; null for a nudge and while nothing was sent (the list's rule).</summary>
    public double? Engagement(ScriptType type) => type == ScriptType.Nudge || Sent == 0 ? null : (double)Responded / Sent;

    public IReadOnlyList<ReasonCount> Failures => Ranked(_failures);

    public IReadOnlyList<ReasonCount> SkippedReasons => Ranked(_skipped);

    /// <summary>
    /// Each question in script order. A yes/no or multiple-choice question lists every answer it
    /// accepts (zero included) in the script's order, then anything else recorded; open text lists
    /// what was written, most first.
    /// </summary>
    public IReadOnlyList<QuestionInsights> Questions()
    {
        if (script is null)
        {
            return [];
        }

        var questions = new List<QuestionInsights>();
        foreach (var step in script.Steps.Where(s => s.Kind.IsQuestion()))
        {
            var spread = _answers.GetValueOrDefault(step.Id) ?? new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            IReadOnlyList<string> accepted = step.Kind switch
            {
                StepKind.YesNo => ["yes", "no"],
                StepKind.MultipleChoice => step.Choices ?? [],
                _ => [],
            };
            var answers = accepted.Select(a => new AnswerCount(a, spread.GetValueOrDefault(a))).ToList();
            var known = new HashSet<string>(accepted, StringComparer.OrdinalIgnoreCase);
            answers.AddRange(spread.Where(kv => !known.Contains(kv.Key))
                .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new AnswerCount(kv.Key, kv.Value)));
            questions.Add(new QuestionInsights(step.Id, step.Text, step.Kind, answers, _invalidByStep.GetValueOrDefault(step.Id)));
        }

        return questions;
    }

    private static void Bump(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static List<ReasonCount> Ranked(Dictionary<string, int> counts) =>
        [.. counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ReasonCount(kv.Key, kv.Value))];
}
