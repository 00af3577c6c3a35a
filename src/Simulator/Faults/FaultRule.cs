using System.Globalization;

namespace GuidellmFunctions.Simulator.Faults;

/// <summary>A fault and the probability that a request gets it, parsed from <c>KIND=RATE</c>.</summary>
/// <param name="Kind">The fault.</param>
/// <param name="Rate">Probability per request, 0–1.</param>
/// <param name="StatusCode">The status for <see cref="FaultKind.HttpStatus"/>.</param>
public sealed record FaultRule(FaultKind Kind, double Rate, int StatusCode = 0)
{
    /// <summary>The accepted kinds, for help texts.</summary>
    public const string Kinds = "http_<status> (http_429, http_500, http_503, ...), disconnect, stall, error_object, no_done, slow_headers";

    /// <summary>Parses <c>KIND=RATE</c>, for example <c>http_503=0.1</c> or <c>disconnect=0.05</c>.</summary>
    public static FaultRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !double.TryParse(text[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or > 1)
        {
            throw new FormatException($"fault '{text}' is not KIND=RATE with RATE between 0 and 1; kinds: {Kinds}");
        }

        var kind = text[..eq].Trim().ToLowerInvariant();
        if (kind.StartsWith("http_", StringComparison.Ordinal)
            && int.TryParse(kind.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status) && status is >= 400 and <= 599)
        {
            return new FaultRule(FaultKind.HttpStatus, rate, status);
        }

        return kind switch
        {
            "disconnect" => new FaultRule(FaultKind.Disconnect, rate),
            "stall" => new FaultRule(FaultKind.Stall, rate),
            "error_object" => new FaultRule(FaultKind.ErrorObject, rate),
            "no_done" => new FaultRule(FaultKind.NoDone, rate),
            "slow_headers" => new FaultRule(FaultKind.SlowHeaders, rate),
            _ => throw new FormatException($"unknown fault kind '{kind}'; kinds: {Kinds}"),
        };
    }

    /// <summary>The name of the fault as written on the command line.</summary>
    public string Name => Kind == FaultKind.HttpStatus ? $"http_{StatusCode}" : Kind switch
    {
        FaultKind.Disconnect => "disconnect",
        FaultKind.Stall => "stall",
        FaultKind.ErrorObject => "error_object",
        FaultKind.NoDone => "no_done",
        _ => "slow_headers",
    };
}
