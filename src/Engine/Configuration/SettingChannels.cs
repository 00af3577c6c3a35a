namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Where a setting may be given: the YAML (<c>defaults:</c> or a target), a <c>run</c> flag, a queue message override.</summary>
[Flags]
public enum SettingChannels
{
    /// <summary>Nowhere (not a valid setting).</summary>
    None = 0,

    /// <summary>In the YAML, under <c>defaults:</c> or on a target.</summary>
    Yaml = 1,

    /// <summary>As a flag of <c>guidellm-runner run</c>.</summary>
    Cli = 2,

    /// <summary>In the <c>overrides</c> of an on-demand queue message (and <c>enqueue --override</c>).</summary>
    Queue = 4,

    /// <summary>Everywhere.</summary>
    All = Yaml | Cli | Queue,
}
