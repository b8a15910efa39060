using DmpActors.Domain.Segments;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>Properties over random trees and random profiles folded by the reducer.</summary>
public class RuleProperties
{
    [Property(MaxTest = 500)]
    public Property Any_tree_printed_as_text_parses_back_to_an_equal_tree_and_the_same_text() =>
        Prop.ForAll(RuleGenerators.AnyTree.ToArbitrary(), tree =>
        {
            var text = RulePrinter.Print(tree);
            var parsed = RuleParser.Parse(text).Tree;
            return (parsed.Equals(tree) && RulePrinter.Print(parsed) == text).Label(text);
        });

    [Property(MaxTest = 500)]
    public Property Any_tree_written_as_json_reads_back_to_an_equal_tree() =>
        Prop.ForAll(RuleGenerators.AnyTree.ToArbitrary(), tree =>
        {
            var json = RuleJson.Write(tree);
            return RuleJson.Read(json).Equals(tree).Label(json);
        });

    private static Gen<(Scenario Scenario, RuleExpr[] Rules)> ScenarioWithRules =>
        from scenario in ProfileGenerators.Scenarios
        from rules in RuleGenerators.CheckedTree.ArrayOf(8)
        select (scenario, rules);

    [Property(MaxTest = 300)]
    public Property Compiled_rules_agree_with_the_reference_interpreter_and_their_explanations() =>
        Prop.ForAll(ScenarioWithRules.ToArbitrary(), c =>
        {
            // One compiler for all rules: they share inputs, so one reading must serve every rule.
            var compiler = new RuleCompiler();
            var compiled = c.Rules.Select(r => compiler.Compile(RuleDefinition.FromTree(r))).ToArray();
            var context = compiler.CreateContext().Reset(c.Scenario.Profile, c.Scenario.Now, c.Scenario.Inputs);
            var wrong = compiled.Where(r =>
            {
                var expected = ReferenceInterpreter.Eval(r.Definition.Tree, c.Scenario);
                return r.Evaluate(context) != expected || r.Explain(context).Outcome != expected
                       || r.Evaluate(c.Scenario.Profile, c.Scenario.Now, c.Scenario.Inputs) != expected;
            }).Select(r => r.Text).ToArray();
            return (wrong.Length == 0).Label($"{c.Scenario}: {string.Join(" | ", wrong)}");
        });

    /// <summary>Keeping the deciding clauses' values and flipping every other clause leaves the outcome as it was.</summary>
    [Property(MaxTest = 300)]
    public Property The_deciding_clauses_alone_fix_the_outcome() =>
        Prop.ForAll(ScenarioWithRules.ToArbitrary(), c =>
        {
            var compiler = new RuleCompiler();
            var context = compiler.CreateContext().Reset(c.Scenario.Profile, c.Scenario.Now, c.Scenario.Inputs);
            return c.Rules.All(tree =>
            {
                var explanation = compiler.Compile(RuleDefinition.FromTree(tree)).Explain(context);
                var actual = explanation.Clauses.GroupBy(x => x.Clause).ToDictionary(g => g.Key, g => g.First().Value);
                var deciding = explanation.Deciding.Select(x => x.Clause).ToHashSet();
                return Substituted(tree, clause => deciding.Contains(clause) ? actual[clause] : !actual[clause]) == explanation.Outcome;
            });
        });

    private static bool Substituted(RuleExpr e, Func<string, bool> clause) => e switch
    {
        AndExpr a => Substituted(a.Left, clause) && Substituted(a.Right, clause),
        OrExpr o => Substituted(o.Left, clause) || Substituted(o.Right, clause),
        NotExpr n => !Substituted(n.Operand, clause),
        _ => clause(RulePrinter.Print(e)),
    };

    /// <summary>Between now and the reported next change the outcome must not change: sampled at the first tick
    /// after now, the last tick before the change and points between.</summary>
    [Property(MaxTest = 150)]
    public Property No_rule_changes_its_outcome_before_its_next_change_time() =>
        Prop.ForAll(ScenarioWithRules.ToArbitrary(), Gen.Choose(1, 999).ArrayOf(4).ToArbitrary(), (c, fractions) =>
        {
            var compiler = new RuleCompiler();
            var (profile, now, inputs) = (c.Scenario.Profile, c.Scenario.Now, c.Scenario.Inputs);
            var failures = new List<string>();
            foreach (var tree in c.Rules.Take(4))
            {
                var rule = compiler.Compile(RuleDefinition.FromTree(tree));
                var outcome = rule.Evaluate(profile, now, inputs);
                var horizon = rule.NextChange(profile, now, inputs) ?? now.AddDays(45);
                if (horizon <= now) failures.Add($"{rule.Text}: next change {horizon:o} is not after now");
                var span = horizon - now;
                var samples = fractions.Select(f => now + span * (f / 1000.0)).Append(now.AddTicks(1)).Append(horizon.AddTicks(-1));
                foreach (var t in samples.Where(t => t > now && t < horizon))
                {
                    if (rule.Evaluate(profile, t, inputs) != outcome) failures.Add($"{rule.Text}: changed at {t:o}, next change said {horizon:o}");
                }
            }

            return (failures.Count == 0).Label($"{c.Scenario}: {string.Join(" | ", failures)}");
        });
}
