namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// A secret value (API key, token, password). Its <see cref="ToString"/> never reveals the value, so a
/// secret that slips into a log template, an exception message or a serialized object prints as a mask.
/// </summary>
public sealed class Secret : IEquatable<Secret>
{
    /// <summary>The text printed in place of a secret.</summary>
    public const string Mask = "***";

    private readonly string _value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    public Secret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>True when the secret is the empty string (treated as "no secret").</summary>
    public bool IsEmpty => _value.Length == 0;

    /// <summary>Returns the clear value. Call only where the value is sent to its destination.</summary>
    public string Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => Mask;

    /// <inheritdoc />
    public bool Equals(Secret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Secret other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
