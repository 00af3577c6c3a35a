namespace GuidellmFunctions.Simulator.Faults;

/// <summary>Draws at most one fault per request from the configured rules, from a seeded generator. Thread-safe.</summary>
public sealed class FaultInjector
{
    private readonly IReadOnlyList<FaultRule> _rules;
    private readonly Random _random;
    private readonly Lock _lock = new();

    /// <summary>Creates an injector; the rates must add up to at most 1.</summary>
    public FaultInjector(IReadOnlyList<FaultRule> rules, int seed)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Sum(r => r.Rate) > 1.0 + 1e-9)
        {
            throw new ArgumentException($"fault rates add up to {rules.Sum(r => r.Rate)}, more than 1", nameof(rules));
        }

        _rules = rules;
        _random = new Random(seed);
    }

    /// <summary>The fault for the next request, or null.</summary>
    public FaultRule? Next()
    {
        if (_rules.Count == 0)
        {
            return null;
        }

        double draw;
        lock (_lock)
        {
            draw = _random.NextDouble();
        }

        foreach (var rule in _rules)
        {
            if (draw < rule.Rate)
            {
                return rule;
            }

            draw -= rule.Rate;
        }

        return null;
    }
}
