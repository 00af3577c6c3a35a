namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The caps of <c>limits:</c>: one set for every target, overridden per environment (<c>limits.environments.ENV</c>) and
/// per target (<c>limits.targets.ENV/TARGET</c>), each key it leaves out taken from the level above.
/// </summary>
internal sealed record QueueLimits(RunLimits All, IReadOnlyDictionary<string, RunLimits> Environments, IReadOnlyDictionary<string, RunLimits> Targets)
{
    /// <summary>The built-in caps everywhere.</summary>
    public static QueueLimits Default { get; } = new(RunLimits.Default, new Dictionary<string, RunLimits>(), new Dictionary<string, RunLimits>());

    /// <summary>Every cap a target of an on-demand message goes beyond, naming the target, the setting and the cap's key.</summary>
    public IEnumerable<string> Exceeded(IEnumerable<ResolvedTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var target in targets)
        {
            var path = $"{target.Environment}/{target.Target.Name}";
            var (limits, scope) = Targets.TryGetValue(path, out var own) ? (own, $"limits.targets.{path}")
                : Environments.TryGetValue(target.Environment, out var env) ? (env, $"limits.environments.{target.Environment}")
                : (All, "limits");
            foreach (var problem in limits.Exceeded(target.Settings, scope))
            {
                yield return $"{path}: {problem}";
            }
        }
    }
}
